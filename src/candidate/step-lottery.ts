import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CandidateMe } from '../core/api-schema.js';
import { timelineAt } from '../core/timeline.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

/**
 * R5 lottery: draw a number, or see the one already drawn or assigned; after the deadline the
 * server assigns one to anyone without.
 * @fires draw
 * @fires step-done
 */
@customElement('step-lottery')
export class StepLottery extends LitElement {
  static override styles = [baseStyles, css`
    .big { font-size: 3rem; font-weight: 700; line-height: 1; }
    .row { display: flex; align-items: baseline; gap: 0.75rem; flex-wrap: wrap; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) me: CandidateMe | null = null;
  @property({ attribute: false }) now: () => number = () => Date.now();
  @property({ type: Boolean }) drawing = false;
  @property() error = '';

  override render() {
    const me = this.me;
    if (!me) return nothing;
    const open = timelineAt(me.exam.times, this.now(), me.progress).allowed.lottery;
    return html`
      <section class="card" aria-labelledby="lottery-title">
        <h1 id="lottery-title">${t('home.lottery')}</h1>
        ${me.lottery ? html`
          <p class="row"><span>${t('home.lotteryNumber')}</span>
            <span class="big" data-testid="lottery-number">${me.lottery.number}</span>
            ${me.lottery.method === 'auto' ? html`<span class="note">${t('home.lotteryAuto')}</span>` : nothing}</p>`
        : open ? html`
          <p>${t('home.drawHint')}</p>
          <div class="actions"><button type="button" ?disabled=${this.drawing} @click=${() => this.fire('draw')}>${this.drawing ? t('home.drawing') : t('home.draw')}</button></div>`
        : html`<p>${t('home.lotteryClosed')}</p>`}
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
        ${me.lottery || !open ? html`<div class="actions"><button type="button" @click=${() => this.fire('step-done')}>${t('flow.next')}</button></div>` : nothing}
      </section>`;
  }

  private fire(name: 'draw' | 'step-done'): void {
    this.dispatchEvent(new Event(name, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'step-lottery': StepLottery }
}
