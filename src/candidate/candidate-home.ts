import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CandidateMe } from '../core/api-schema.js';
import { pickText } from '../core/localized.js';
import { timelineAt } from '../core/timeline.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import '../ui/count-down.js';

/**
 * The candidate's waiting view: who they are, the server-time countdown to the exam and the
 * lottery (R5). The exam flow of a later issue grows from here.
 * @fires draw - the candidate asked to draw a number
 * @fires logout
 */
@customElement('candidate-home')
export class CandidateHome extends LitElement {
  static override styles = [baseStyles, css`
    .big { font-size: 2.5rem; font-weight: 700; }
    .row { display: flex; align-items: baseline; gap: 0.75rem; flex-wrap: wrap; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) me: CandidateMe | null = null;
  /** Server time source. */
  @property({ attribute: false }) now: () => number = () => Date.now();
  @property({ type: Boolean }) drawing = false;
  @property() error = '';
  /** Set when the view shows stored data because the server is out of reach. */
  @property({ type: Number }) savedAt = 0;
  /** Recordings on this device not yet verified by the server (R10: they must not be lost). */
  @property({ type: Number }) pendingUploads = 0;

  private ticker: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    // Phase changes (lottery closing, start) must show without any input.
    this.ticker = setInterval(() => this.requestUpdate(), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
  }

  override render() {
    const me = this.me;
    if (!me) return nothing;
    const state = timelineAt(me.exam.times, this.now(), me.progress);
    const time = (ms: number) => new Date(ms).toLocaleString(locale());
    return html`
      <section class="card" aria-labelledby="exam-title">
        <h1 id="exam-title">${pickText(me.exam.title, locale())}</h1>
        <p>${t('home.welcome', { name: me.candidate.name, id: me.candidate.id, room: me.candidate.roomName })}</p>
        ${this.savedAt ? html`<p class="note">${t('home.savedAt', { time: time(this.savedAt) })}</p>` : nothing}
      </section>
      ${this.pendingUploads ? html`<section class="card" aria-labelledby="pending-title">
        <h2 id="pending-title">${t('home.pendingUploads', { n: this.pendingUploads })}</h2>
        <p class="note">${t('exam.keepOpen')}</p>
        <a href="#/exam">${t('home.viewUploads')}</a></section>` : nothing}
      <section class="card" aria-labelledby="countdown-title">
        ${state.phase === 'scheduled' || state.phase === 'open' ? html`
          <h2 id="countdown-title">${state.phase === 'open' ? t('home.startsIn') : t('home.loginOpensIn')}</h2>
          <count-down .now=${this.now} until=${state.phase === 'open' ? me.exam.times.startAt : me.exam.times.loginOpensAt} label=${t('home.startsIn')}></count-down>
          <p class="note">${t('home.startsAt', { time: time(me.exam.times.startAt) })}</p>`
        : html`<h2 id="countdown-title">${state.phase === 'reading' || state.phase === 'answering' ? t('home.running') : t('home.ended')}</h2>`}
      </section>
      <section class="card" aria-labelledby="lottery-title">
        <h2 id="lottery-title">${t('home.lottery')}</h2>
        ${me.lottery ? html`
          <p class="row"><span>${t('home.lotteryNumber')}</span>
            <span class="big" data-testid="lottery-number">${me.lottery.number}</span>
            ${me.lottery.method === 'auto' ? html`<span class="note">${t('home.lotteryAuto')}</span>` : nothing}</p>`
        : state.allowed.lottery ? html`
          <p class="note">${t('home.drawHint')}</p>
          <div class="actions"><button type="button" ?disabled=${this.drawing} @click=${() => this.fire('draw')}>${this.drawing ? t('home.drawing') : t('home.draw')}</button></div>`
        : html`<p>${t('home.lotteryClosed')}</p>`}
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      </section>
      <div class="actions"><button type="button" class="secondary" @click=${() => this.fire('logout')}>${t('home.logout')}</button></div>`;
  }

  private fire(name: 'draw' | 'logout'): void {
    this.dispatchEvent(new Event(name, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'candidate-home': CandidateHome }
}
