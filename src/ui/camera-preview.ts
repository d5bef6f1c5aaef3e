import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/** A live, muted, mirrored preview of a camera stream. */
@customElement('camera-preview')
export class CameraPreview extends LitElement {
  static override styles = css`
    :host { display: block; }
    video { width: 100%; aspect-ratio: 16 / 9; background: #1b1f24; border-radius: 6px; transform: scaleX(-1); object-fit: cover; display: block; }
  `;
  @property({ attribute: false }) stream: MediaStream | null = null;
  @property() label = '';
  @query('video') private video!: HTMLVideoElement;

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('stream') && this.video.srcObject !== this.stream) {
      this.video.srcObject = this.stream;
      if (this.stream) void this.video.play().catch(() => undefined);
    }
  }

  override render() {
    return html`<video muted playsinline autoplay aria-label=${this.label}></video>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'camera-preview': CameraPreview }
}
