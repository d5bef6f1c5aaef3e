import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { TimelineTimes as ExamTimes } from '../core/timeline.js';
import type { CandidateDetail } from '../core/room-schema.js';
import { formatDuration } from '../core/format-duration.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { timeOfDay } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import type { LiveReceiver } from './live-receiver.js';
import './detail-actions.js';
import './detail-log.js';

export type DetailAction =
  | { kind: 'identity-confirm' | 'warning' | 'extra-time' | 'end'; body: unknown }
  | { kind: 'chat'; text: string };

/**
 * One candidate, opened from its tile: a larger live view (the microphone can be unmuted), the
 * screen on request, the help chat with a reply box, the proctor's actions, the events so far
 * with server times and the outages.
 * @fires close
 * @fires act - detail: DetailAction
 * @fires want-screen - detail: { on }
 * @fires want-phone - detail: { on }: the evidence phone's camera live
 */
@customElement('proctor-detail')
export class ProctorDetail extends LitElement {
  static override styles = [baseStyles, css`
    section { border-color: #0969da; }
    .top { display: flex; justify-content: space-between; align-items: start; gap: 1rem; }
    .cols { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; }
    @media (max-width: 60rem) { .cols { grid-template-columns: 1fr; } }
    video, img[data-large] { width: 100%; background: #24292f; border-radius: 6px; aspect-ratio: 16 / 9; object-fit: contain; }
    ol.chat { list-style: none; padding: 0; margin: 0; max-height: 14rem; overflow: auto; }
    ol.chat li { margin: 0.3rem 0; padding: 0.35rem 0.6rem; border-radius: 6px; background: #f6f8fa; overflow-wrap: anywhere; }
    ol.chat li.candidate { background: #ddf4ff; margin-right: 2rem; }
    ol.chat li.proctor { margin-left: 2rem; }
    ol.chat li.warning { background: #ffebe9; }
    textarea { box-sizing: border-box; width: 100%; font: inherit; padding: 0.5rem; border: 1px solid #8c959f; border-radius: 6px; min-height: 3.5rem; }
    textarea:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) detail!: CandidateDetail;
  @property({ attribute: false }) times!: ExamTimes;
  @property({ attribute: false }) now: () => number = () => Date.now();
  @property({ attribute: false }) live: LiveReceiver | null = null;
  /** The evidence phone's live view, once asked for. */
  @property({ attribute: false }) phoneLive: LiveReceiver | null = null;
  @property({ type: Boolean }) busy = false;
  @property() error = '';
  @state() private unmuted = false;
  @state() private screen = false;
  @state() private phone = false;
  @query('#reply') private reply!: HTMLTextAreaElement;

  /** Brings the panel into view (it opens below the grid) with focus on its title. */
  async reveal(): Promise<void> {
    await this.updateComplete;
    const title = this.renderRoot.querySelector<HTMLElement>('#detail-title');
    this.scrollIntoView({ block: 'start' });
    title?.focus({ preventScroll: true });
  }

  /** What actually arrives, as on the tile: moving video, else the latest thumbnail, else why not. */
  private renderLive(name: string) {
    const shown = this.live?.shown ?? null;
    const camera = this.live?.camera;
    if (camera && (shown === 'video' || shown === 'high')) {
      return html`<video data-large .srcObject=${camera} autoplay playsinline ?muted=${!this.unmuted} .muted=${!this.unmuted}
        aria-label=${t('proctor.liveOf', { name })}></video>`;
    }
    if (shown === 'thumbnail' && this.live?.thumbnail) return html`<img data-large src=${this.live.thumbnail} alt=${t('proctor.thumbOf', { name })} />`;
    return html`<p class="note">${t(shown === 'events' ? 'proctor.eventsOnly' : 'proctor.noVideo')}</p>`;
  }

  override render() {
    const d = this.detail;
    const c = d.tile;
    return html`
      <section class="card" role="region" aria-labelledby="detail-title" data-detail=${c.id}>
        <div class="top">
          <h2 id="detail-title" tabindex="-1">${c.number !== null ? `${c.number} · ` : ''}${c.name} (${c.id})</h2>
          <button type="button" class="secondary" @click=${() => this.fire('close')}>${t('proctor.close')}</button>
        </div>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
        <div class="cols">
          <div>
            ${this.renderLive(c.name)}
            <div class="actions">
              <button type="button" class="secondary" aria-pressed=${this.unmuted} @click=${() => { this.unmuted = !this.unmuted; }}>${t(this.unmuted ? 'proctor.mute' : 'proctor.unmute')}</button>
              <button type="button" class="secondary" aria-pressed=${this.screen} @click=${this.toggleScreen}>${t(this.screen ? 'proctor.screenOff' : 'proctor.screenOn')}</button>
            </div>
            ${c.phone ? html`<div class="actions"><button type="button" class="secondary" aria-pressed=${this.phone} @click=${this.togglePhone}>${t(this.phone ? 'proctor.phoneOff' : 'proctor.phoneOn')}</button></div>` : nothing}
            ${this.phone ? this.renderPhone(c.name) : nothing}
            ${this.screen && this.live?.screen ? html`<video data-screen .srcObject=${this.live.screen} autoplay muted playsinline aria-label=${t('proctor.screenOf', { name: c.name })}></video>` : nothing}
            <detail-log .detail=${d}></detail-log>
          </div>
          <div>
            <h3>${t('proctor.chat')}</h3>
            <ol class="chat" aria-live="polite">${d.chat.map((m) => html`<li class="${m.from} ${m.kind}">
              <span class="note">${m.from === 'candidate' ? c.name : m.kind === 'warning' ? t('chat.warning') : t('chat.proctor')} ${timeOfDay(m.at)}</span><br />${m.kind === 'identity' ? t('proctor.identity.confirmed') : m.text}</li>`)}</ol>
            ${d.chat.length === 0 ? html`<p class="note">${t('chat.empty')}</p>` : nothing}
            <label for="reply">${t('proctor.reply')}</label>
            <textarea id="reply" maxlength="2000"></textarea>
            <div class="actions"><button type="button" ?disabled=${this.busy} @click=${this.sendReply}>${t('chat.send')}</button></div>
            <detail-actions .tile=${c} ?busy=${this.busy}
              .leftMs=${Math.max(0, this.times.endAt + c.progress.extraMs - this.now())}></detail-actions>
            <p class="note">${t('proctor.timeLeft', { left: formatDuration(Math.max(0, this.times.endAt + c.progress.extraMs - this.now())) })}</p>
          </div>
        </div>
      </section>`;
  }

  private sendReply(): void {
    const text = this.reply.value.trim();
    if (!text) return;
    this.dispatchEvent(new CustomEvent<DetailAction>('act', { detail: { kind: 'chat', text }, bubbles: true, composed: true }));
    this.reply.value = '';
  }

  /** The phone's view, as the laptop's: moving video, else the latest thumbnail, else why not. */
  private renderPhone(name: string) {
    const rx = this.phoneLive;
    if (rx?.camera && (rx.shown === 'video' || rx.shown === 'high')) return html`<video data-phone-live .srcObject=${rx.camera} autoplay muted playsinline aria-label=${t('proctor.phoneOf', { name })}></video>`;
    if (rx?.shown === 'thumbnail' && rx.thumbnail) return html`<img data-phone-live src=${rx.thumbnail} alt=${t('proctor.phoneOf', { name })} />`;
    return html`<p class="note" data-phone-live-none>${t(rx?.shown === 'events' ? 'proctor.eventsOnly' : 'proctor.connecting')}</p>`;
  }

  private togglePhone(): void {
    this.phone = !this.phone;
    this.dispatchEvent(new CustomEvent('want-phone', { detail: { on: this.phone }, bubbles: true, composed: true }));
  }

  private toggleScreen(): void {
    this.screen = !this.screen;
    this.dispatchEvent(new CustomEvent('want-screen', { detail: { on: this.screen }, bubbles: true, composed: true }));
  }

  private fire(name: string): void {
    this.dispatchEvent(new Event(name, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'proctor-detail': ProctorDetail }
}
