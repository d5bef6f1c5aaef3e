import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LevelMeter } from '../media/level-meter.js';

/** A live microphone level meter for a stream's audio. */
@customElement('level-bar')
export class LevelBar extends LitElement {
  static override styles = css`
    :host { display: block; }
    .track { height: 12px; background: #eaeef2; border-radius: 6px; overflow: hidden; }
    .fill { height: 100%; background: #1a7f37; transition: width 90ms linear; }
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
    return html`<div class="track" role="meter" aria-label=${this.label} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct}>
      <div class="fill" style="width:${pct}%"></div></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'level-bar': LevelBar }
}
