import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { faceGate, type Guidance } from '../core/face-gate.js';
import { detectFaces } from '../media/face-worker-client.js';
import { jpegFrame } from '../media/jpeg-frame.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import type { CameraPreview } from '../ui/camera-preview.js';
import '../ui/camera-preview.js';

/** About four checks a second: guidance feels live, the worker stays far below a core. */
const INTERVAL_MS = 250;

/**
 * Width of the kept login frame: the evidence, and what face match compares (at 320 px the same
 * face scored 0.75 against its photo, at 640 px 0.9).
 */
const CAPTURE_WIDTH = 640;

export type GateState = 'loading' | 'checking' | 'accepted' | 'unavailable';

/**
 * R2 face gate at login: live guidance until exactly one clear, frontal, well-lit face is in
 * view; then the accepted frame (JPEG) is kept as evidence. Detection runs in the face worker;
 * if it cannot run on this device the gate says so (the candidate can take the non-face path).
 * @fires face-accepted - detail: { capture: Blob }
 * @fires face-unavailable
 */
@customElement('face-login-gate')
export class FaceLoginGate extends LitElement {
  static override styles = [baseStyles, css`
    camera-preview { max-width: 20rem; }
    .ok { color: #116329; font-weight: 700; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) stream: MediaStream | null = null;
  @state() private gate: GateState = 'loading';
  @state() private guidance: Guidance | null = null;
  @query('camera-preview') private preview!: CameraPreview;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  get state(): GateState {
    return this.gate;
  }

  /** Frames judged so far (each refused one updates the guidance). */
  checked = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.running = true;
    this.schedule(0);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.running = false;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.running && this.gate !== 'accepted' && this.gate !== 'unavailable') this.timer = setTimeout(() => void this.check(), ms);
  }

  private video(): HTMLVideoElement | null {
    const v = this.preview.shadowRoot?.querySelector('video');
    return v && v.videoWidth > 0 ? v : null;
  }

  private async check(): Promise<void> {
    const video = this.video();
    if (!video) return this.schedule(INTERVAL_MS);
    try {
      // With the wide check: someone further back is "only you in view" too (≈ 0.2 s more per check).
      const verdict = faceGate(await detectFaces(video, { wide: true }));
      this.checked++;
      if (this.gate === 'loading') this.gate = 'checking';
      if (verdict.accepted) {
        const capture = await jpegFrame(video, CAPTURE_WIDTH);
        this.gate = 'accepted';
        this.guidance = null;
        this.dispatchEvent(new CustomEvent('face-accepted', { detail: { capture }, bubbles: true, composed: true }));
        return;
      }
      this.guidance = verdict.guidance;
    } catch (err) {
      console.warn('face detection unavailable', err);
      this.gate = 'unavailable';
      this.dispatchEvent(new Event('face-unavailable', { bubbles: true, composed: true }));
      return;
    }
    this.schedule(INTERVAL_MS);
  }

  /** The camera's current frame as JPEG evidence (the non-face path keeps one too). */
  currentFrame(): Promise<Blob | null> {
    const video = this.video();
    return video ? jpegFrame(video, CAPTURE_WIDTH) : Promise.resolve(null);
  }

  override render() {
    const text = this.gate === 'accepted' ? t('face.accepted')
      : this.gate === 'unavailable' ? t('face.unavailable')
      : this.guidance ? t(`face.${this.guidance}`) : t('face.loading');
    return html`
      <camera-preview .stream=${this.stream} label=${t('login.camera')}></camera-preview>
      <p role="status" class=${this.gate === 'accepted' ? 'ok' : ''} data-gate=${this.gate}>${text}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'face-login-gate': FaceLoginGate }
}
