import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { currentDecisions, flagSubject, type FlagSpan } from '../core/review.js';
import type { ReviewDecision } from '../core/review-schema.js';
import { formatDuration } from '../core/format-duration.js';
import { LocaleController, hasMessage, t } from '../i18n/i18n.js';
import { timeOfDay } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';

export interface FlagJudgement { flag: string; verdict: 'confirmed' | 'dismissed'; note: string }

/**
 * The presence flags of one candidate, each to be confirmed or dismissed by a person (a flag is a
 * lead, never a verdict), with the standing decision and who made it.
 * @fires seek - detail: server ms
 * @fires judge - detail: FlagJudgement
 */
@customElement('review-flags')
export class ReviewFlags extends LitElement {
  static override styles = [baseStyles, css`
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.35rem 0.4rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
    td input { min-width: 10rem; padding: 0.35rem 0.5rem; }
    button { min-height: 36px; padding: 0.2rem 0.7rem; }
    .time { background: none; border: 0; color: #0a5cc2; text-decoration: underline; padding: 0; min-height: 0; font-weight: 400; }
    .suspicious { color: #82071e; font-weight: 600; }
    .cant-see { color: #5c3c00; font-weight: 600; }
    .confirmed { color: #82071e; }
    .dismissed { color: #1a7f37; }
    .buttons { display: flex; gap: 0.4rem; flex-wrap: wrap; margin-top: 0.3rem; }
  `];
  private readonly i18n = new LocaleController(this);
  @property({ attribute: false }) flags: FlagSpan[] = [];
  @property({ attribute: false }) decisions: ReviewDecision[] = [];
  @property({ type: Boolean }) busy = false;

  override render() {
    if (this.flags.length === 0) return html`<p class="note">${t('review.noFlags')}</p>`;
    const current = currentDecisions(this.decisions);
    return html`<table>
      <thead><tr><th>${t('proctor.time')}</th><th>${t('review.flag')}</th><th>${t('review.duration')}</th><th>${t('review.judgement')}</th></tr></thead>
      <tbody>${this.flags.map((f) => {
        const d = current.get(flagSubject(f.id));
        const key = `flag.${f.flag}`;
        const name = hasMessage(key) ? t(key) : f.flag;
        return html`<tr data-flag=${f.id}>
          <td><button class="time" @click=${() => this.fire('seek', f.from)}>${timeOfDay(f.from)}</button></td>
          <td class=${f.kind}>${t(`proctor.flag.${f.kind}`)}: ${name}</td>
          <td>${f.to === null ? t('review.notCleared') : formatDuration(f.to - f.from)}</td>
          <td>
            ${d ? html`<div class=${d.decision} data-verdict=${d.decision}>${t(`review.verdict.${d.decision as 'confirmed' | 'dismissed'}`)} · ${d.by} · ${timeOfDay(d.at)}${d.note ? html` — ${d.note}` : nothing}</div>` : html`<div class="note" data-verdict="">${t('review.unjudged')}</div>`}
            <input aria-label=${t('review.note')} placeholder=${t('review.note')} maxlength="500" ?disabled=${this.busy} />
            <div class="buttons">
              <button class="secondary" ?disabled=${this.busy} @click=${(e: Event) => this.judge(e, f.id, 'confirmed')}>${t('review.confirm')}</button>
              <button class="secondary" ?disabled=${this.busy} @click=${(e: Event) => this.judge(e, f.id, 'dismissed')}>${t('review.dismiss')}</button>
            </div>
          </td></tr>`;
      })}</tbody></table>`;
  }

  private judge(e: Event, flag: string, verdict: FlagJudgement['verdict']): void {
    const input = (e.target as HTMLElement).closest('td')?.querySelector('input');
    this.fire('judge', { flag, verdict, note: input?.value.trim() ?? '' });
  }

  /** Empties a flag's note once its judgement is stored (kept if sending failed). */
  clearNote(flag: string): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>(`tr[data-flag="${CSS.escape(flag)}"] input`);
    if (input) input.value = '';
  }

  private fire(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-flags': ReviewFlags }
}
