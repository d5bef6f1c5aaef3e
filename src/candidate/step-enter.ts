import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CandidateMe } from '../core/api-schema.js';
import { timelineAt } from '../core/timeline.js';
import { extraDisplay, onDisplayChange } from '../media/displays.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import '../ui/count-down.js';

/**
 * R7 enter: 【进入考试】 only inside the entry window (the server decides again) and with one
 * display; 【刷新】 re-reads the state. Entering starts the recording (camera, mic, screen).
 * @fires enter
 * @fires refresh
 */
@customElement('step-enter')
export class StepEnter extends LitElement {
  static override styles = baseStyles;
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) me: CandidateMe | null = null;
  @property({ attribute: false }) now: () => number = () => Date.now();
  @property({ type: Boolean }) busy = false;
  @property() error = '';
  @state() private extra = extraDisplay();
  private unsubscribe = () => {};
  private ticker: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = onDisplayChange(() => { this.extra = extraDisplay(); });
    // The button enables by itself when the window opens.
    this.ticker = setInterval(() => this.requestUpdate(), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe();
    clearInterval(this.ticker);
  }

  override render() {
    const me = this.me;
    if (!me) return nothing;
    const now = this.now();
    const times = me.exam.times;
    const open = timelineAt(times, now, me.progress).allowed.entry;
    const time = (ms: number) => new Date(ms).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
    return html`
      <section class="card" aria-labelledby="enter-title">
        <h1 id="enter-title">${t('enter.title')}</h1>
        ${me.lottery ? html`<p>${t('home.lotteryNumber')}：<strong data-testid="lottery-number">${me.lottery.number}</strong></p>` : nothing}
        <p>${t('enter.window', { from: time(times.entryOpensAt), until: time(times.entryClosesAt) })}</p>
        ${now < times.entryOpensAt ? html`<p>${t('enter.opensIn')}</p>
          <count-down .now=${this.now} until=${times.entryOpensAt} label=${t('enter.opensIn')}></count-down>` : nothing}
        <p class="note">${t('enter.recordingNotice')}</p>
        ${this.extra === true ? html`<div class="error" role="alert">${t('enter.extraDisplay')}</div>` : nothing}
        ${this.extra === null ? html`<p class="note">${t('enter.displayUnknown')}</p>` : nothing}
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
        <div class="actions">
          <button type="button" ?disabled=${!open || this.extra === true || this.busy} @click=${() => this.fire('enter')}>${this.busy ? t('enter.busy') : t('enter.enter')}</button>
          <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => { this.extra = extraDisplay(); this.fire('refresh'); }}>${t('enter.refresh')}</button>
        </div>
      </section>`;
  }

  private fire(name: 'enter' | 'refresh'): void {
    this.dispatchEvent(new Event(name, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'step-enter': StepEnter }
}
