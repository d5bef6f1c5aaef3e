import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/** A live, muted, mirrored preview of a camera stream; without one, `empty` says why in the box. */
@customElement('camera-preview')
export class CameraPreview extends LitElement {
  static override styles = css`
    :host { display: block; position: relative; }
    p { position: absolute; inset: 0; margin: 0; display: flex; align-items: center; justify-content: center; text-align: center; padding: 0.5rem; color: #fff; font-size: 0.9rem; line-height: 1.4; }
    video { width: 100%; aspect-ratio: 16 / 9; background: #1b1f24; border-radius: 6px; transform: scaleX(-1); object-fit: cover; display: block; }
  `;
  @property({ attribute: false }) stream: MediaStream | null = null;
  @property() label = '';
  /** Shown in the box while there is no stream (e.g. recording waits for a click after a reload). */
  @property() empty = '';
  @query('video') private video!: HTMLVideoElement;

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('stream') && this.video.srcObject !== this.stream) {
      this.video.srcObject = this.stream;
      if (this.stream) void this.video.play().catch(() => undefined);
    }
  }

  override render() {
    return html`<video muted playsinline autoplay aria-label=${this.label}></video>${!this.stream && this.empty ? html`<p data-empty>${this.empty}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'camera-preview': CameraPreview }
}
