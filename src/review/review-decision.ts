import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ReviewDecision, ReviewState } from '../core/review-schema.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

export interface CandidateJudgement { state: 'in-review' | 'cleared' | 'incident'; reason: string }

/**
 * The candidate's outcome: in review, cleared or an incident — the last two with a reason — and
 * every decision so far with who and when.
 * @fires decide - detail: CandidateJudgement
 */
@customElement('review-decision')
export class ReviewDecisionForm extends LitElement {
  static override styles = [baseStyles, css`
    textarea { box-sizing: border-box; width: 100%; font: inherit; padding: 0.5rem; border: 1px solid #8c959f; border-radius: 6px; min-height: 4rem; }
    .state { font-weight: 700; }
    .state.incident { color: #82071e; }
    .state.cleared { color: #1a7f37; }
    ol { padding-left: 1.2rem; margin: 0.5rem 0 0; }
  `];
  private readonly i18n = new LocaleController(this);
  @property() state: ReviewState = 'not-started';
  @property({ attribute: false }) decisions: ReviewDecision[] = [];
  @property({ type: Boolean }) busy = false;
  @state() private missing = false;
  @query('textarea') private reason!: HTMLTextAreaElement;

  override render() {
    const time = (ms: number) => new Date(ms).toLocaleString(locale(), { hour12: false });
    const history = this.decisions.filter((d) => d.subject === 'candidate');
    return html`
      <p>${t('review.state')}: <span class="state ${this.state}" data-state=${this.state}>${t(`review.state.${this.state}`)}</span></p>
      <label for="reason">${t('review.reason')}</label>
      <textarea id="reason" maxlength="500" ?disabled=${this.busy} @input=${() => { this.missing = false; }}></textarea>
      ${this.missing ? html`<div class="error" role="alert">${t('review.reasonNeeded')}</div>` : nothing}
      <div class="actions">
        <button class="secondary" ?disabled=${this.busy} @click=${() => this.decide('in-review')}>${t('review.state.in-review')}</button>
        <button ?disabled=${this.busy} @click=${() => this.decide('cleared')}>${t('review.clear')}</button>
        <button ?disabled=${this.busy} @click=${() => this.decide('incident')}>${t('review.incident')}</button>
      </div>
      ${history.length ? html`<ol>${history.map((d) => html`<li>${time(d.at)} · ${d.by} · ${t(`review.state.${d.decision as ReviewState}`)}${d.note ? ` — ${d.note}` : ''}</li>`)}</ol>` : nothing}`;
  }

  private decide(state: CandidateJudgement['state']): void {
    const reason = this.reason.value.trim();
    if (state !== 'in-review' && !reason) {
      this.missing = true;
      this.reason.focus();
      return;
    }
    this.dispatchEvent(new CustomEvent('decide', { detail: { state, reason }, bubbles: true, composed: true }));
  }

  /** Empties the reason once the decision is stored (kept if sending failed: nothing typed is lost). */
  clear(): void {
    this.reason.value = '';
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-decision': ReviewDecisionForm }
}
