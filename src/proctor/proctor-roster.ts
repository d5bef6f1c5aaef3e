import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ProctorRoster as Roster } from '../core/api-schema.js';
import { pickText } from '../core/localized.js';
import { formatBytes } from '../core/format-bytes.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

/**
 * The proctor's rooms: who is logged in and their draw numbers. The live console grows from here.
 * @fires refresh
 * @fires logout
 */
@customElement('proctor-roster')
export class ProctorRoster extends LitElement {
  static override styles = [baseStyles, css`
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #d0d7de; }
  `];
  private readonly i18n = new LocaleController(this);
  @property({ attribute: false }) roster: Roster | null = null;
  @property() error = '';

  override render() {
    const r = this.roster;
    if (!r) return nothing;
    return html`
      <section class="card">
        <h1>${pickText(r.exam.title, locale())}</h1>
        <p>${r.proctor.name} (${r.proctor.id})</p>
        <div class="actions">
          <button type="button" @click=${() => this.fire('refresh')}>${t('proctor.refresh')}</button>
          <button type="button" class="secondary" @click=${() => this.fire('logout')}>${t('proctor.logout')}</button>
        </div>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      </section>
      ${r.rooms.map((room) => html`
        <section class="card">
          <h2>${room.name}</h2>
          <table>
            <thead><tr><th scope="col">${t('proctor.candidate')}</th><th scope="col">${t('proctor.status')}</th><th scope="col">${t('proctor.lottery')}</th><th scope="col">${t('proctor.uploads')}</th></tr></thead>
            <tbody>${room.candidates.map((c) => html`
              <tr><td>${c.name} (${c.id})</td>
                <td>${c.loggedIn ? t('proctor.loggedIn') : t('proctor.notLoggedIn')}</td>
                <td>${c.lottery ? c.lottery.number : '—'}</td>
                <td>${c.uploads.problem ? html`<span class="error">${t('proctor.uploadProblem', { problem: c.uploads.problem })}</span>`
                  : c.uploads.recordings === 0 ? '—'
                  : t('proctor.uploadState', { verified: c.uploads.verified, total: c.uploads.recordings, size: formatBytes(c.uploads.bytes) })}</td></tr>`)}</tbody>
          </table>
        </section>`)}`;
  }

  private fire(name: 'refresh' | 'logout'): void {
    this.dispatchEvent(new Event(name, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'proctor-roster': ProctorRoster }
}
