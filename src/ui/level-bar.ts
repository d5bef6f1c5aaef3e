import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LevelMeter } from '../media/level-meter.js';

/** A live microphone level meter for a stream's audio. */
@customElement('level-bar')
export class LevelBar extends LitElement {
  static override styles = css`
    :host { display: block; }
    meter { display: block; width: 100%; height: 14px; }
  `;
  @property({ attribute: false }) stream: MediaStream | null = null;
  @property() label = '';
  @state() private level = 0;
  private meter: LevelMeter | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** The loudest moment so far (0..1). */
  get peak(): number {
    return this.meter?.peak ?? 0;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('stream')) return;
    this.stop();
    if (this.stream?.getAudioTracks().length) {
      this.meter = new LevelMeter(this.stream);
      this.timer = setInterval(() => { this.level = this.meter?.level() ?? 0; }, 100);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.meter?.close();
    this.meter = null;
  }

  override render() {
    const pct = Math.round(this.level * 100);
    return html`<meter min="0" max="100" .value=${pct} aria-label=${this.label}></meter>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'level-bar': LevelBar }
}
