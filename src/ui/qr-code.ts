import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { encode } from 'uqr';

/**
 * A QR code of `value` (error correction M), drawn as one SVG path: crisp at any size, black on
 * white with the quiet zone scanners need.
 */
@customElement('qr-code')
export class QrCode extends LitElement {
  static override styles = css`
    :host { display: inline-block; background: #fff; line-height: 0; }
    svg { width: var(--qr-size, 14rem); height: var(--qr-size, 14rem); }
  `;

  @property() value = '';
  @property() label = '';

  override render() {
    if (!this.value) return html``;
    const { data, size } = encode(this.value, { ecc: 'M', border: 4 });
    let d = '';
    data.forEach((row, y) => row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    }));
    return html`<svg role="img" aria-label=${this.label} viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">
      ${svg`<rect width=${size} height=${size} fill="#fff"></rect><path d=${d} fill="#000"></path>`}</svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'qr-code': QrCode }
}
