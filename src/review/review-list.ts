import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { REVIEW_STATES, ReviewList, type ReviewRow } from '../core/review-schema.js';
import { pickText } from '../core/localized.js';
import type { SessionStore } from '../net/session-store.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { localTime } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import { errorText } from '../ui/error-text.js';
import { rowFacts } from './row-facts.js';

/** The reviewer's list (`#/review`): every candidate they may review, what needs a person first, filterable. */
@customElement('review-list')
export class ReviewListView extends LitElement {
  static override styles = [baseStyles, css`
    :host { max-width: 1200px; margin: 0 auto; padding: 1rem; }
    .filters { display: flex; gap: 1rem; flex-wrap: wrap; align-items: end; margin-bottom: 0.75rem; }
    .filters label { margin: 0; font-weight: 600; }
    select { display: block; font: inherit; min-height: 40px; padding: 0 0.5rem; border-radius: 6px; border: 1px solid #8c959f; }
    .check { display: flex; gap: 0.4rem; align-items: center; font-weight: 400; }
    .check input { width: auto; }
    table { border-collapse: collapse; width: 100%; background: #fff; }
    th, td { text-align: left; padding: 0.45rem 0.5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
    th { background: #f6f8fa; }
    ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; padding: 0; margin: 0; color: #57606a; font-size: 0.9rem; }
    li.bad { color: #a40e26; font-weight: 600; }
    .state { white-space: nowrap; font-weight: 600; }
    .state.incident { color: #82071e; } .state.cleared { color: #1a7f37; } .state.in-review { color: #0a5cc2; }
    .top { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
  `];
  private readonly i18n = new LocaleController(this);
  @property({ attribute: false }) store!: SessionStore;
  @state() private list: ReviewList | null = null;
  @state() private error = '';
  @state() private room = '';
  @state() private stateFilter = '';
  @state() private flaggedOnly = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.error = '';
    try {
      this.list = await this.store.api.authed('GET', '/api/review/candidates', ReviewList);
    } catch (err) {
      this.error = errorText(err, localTime);
    }
  }

  private shown(rows: ReviewRow[]): ReviewRow[] {
    return rows.filter((r) => (!this.room || r.room === this.room) && (!this.stateFilter || r.state === this.stateFilter)
      && (!this.flaggedOnly || r.unreviewed.suspicious + r.unreviewed['cant-see'] > 0));
  }

  override render() {
    if (!this.list) {
      return this.error
        ? html`<div class="error" role="alert">${this.error} <button class="secondary" @click=${() => this.load()}>${t('proctor.retry')}</button></div>`
        : html`<p role="status">${t('app.loading')}</p>`;
    }
    const l = this.list;
    const rows = this.shown(l.candidates);
    return html`
      <div class="top">
        <h1>${t('review.title')} · ${pickText(l.exam.title, locale())}</h1>
        <span class="note">${l.reviewer.name} (${t(`review.role.${l.reviewer.role}`)}) · <button class="secondary" @click=${() => this.dispatchEvent(new CustomEvent('logout', { bubbles: true, composed: true }))}>${t('review.logout')}</button></span>
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <div class="filters">
        <label>${t('review.room')}
          <select @change=${(e: Event) => { this.room = (e.target as HTMLSelectElement).value; }}>
            <option value="">${t('review.all')}</option>
            ${l.rooms.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
          </select></label>
        <label>${t('review.state')}
          <select @change=${(e: Event) => { this.stateFilter = (e.target as HTMLSelectElement).value; }}>
            <option value="">${t('review.all')}</option>
            ${REVIEW_STATES.map((s) => html`<option value=${s}>${t(`review.state.${s}`)}</option>`)}
          </select></label>
        <label class="check"><input type="checkbox" @change=${(e: Event) => { this.flaggedOnly = (e.target as HTMLInputElement).checked; }} />${t('review.flaggedOnly')}</label>
        <button class="secondary" @click=${() => this.load()}>${t('review.reload')}</button>
        <span class="note">${t('review.count', { n: rows.length, total: l.candidates.length })}</span>
      </div>
      <table>
        <thead><tr><th>${t('review.candidate')}</th><th>${t('review.room')}</th><th>${t('review.state')}</th><th>${t('review.needs')}</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-candidate=${r.id}>
          <td><a href="#/review/${encodeURIComponent(r.id)}">${r.number !== null ? `${r.number}. ` : ''}${r.name}</a> <span class="note">${r.id}</span></td>
          <td>${l.rooms.find((x) => x.id === r.room)?.name ?? r.room}</td>
          <td class="state ${r.state}">${t(`review.state.${r.state}`)}</td>
          <td>${r.entered ? html`<ul>${rowFacts(r).map((f) => html`<li class=${f.bad ? 'bad' : ''}>${f.text}</li>`)}</ul>` : html`<span class="note">${t('review.notEntered')}</span>`}</td>
        </tr>`)}</tbody>
      </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-list': ReviewListView }
}
