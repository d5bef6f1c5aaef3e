import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { ProctorSession } from '../proctor/proctor-session.js';
import '../proctor/proctor-login.js';
import './review-list.js';
import './review-case.js';
import './review-report.js';

/**
 * Review mode (`#/review`, `#/review/<candidate>`, `#/review/<candidate>/report`), R13: proctors (their rooms) and reviewers (every
 * room) sign in as in the console — the same session — and work through the list.
 */
@customElement('review-app')
export class ReviewApp extends LitElement {
  private readonly i18n = new LocaleController(this);
  private readonly session = new ProctorSession(this);
  @property() path = '';

  override render() {
    const s = this.session;
    if (s.restoring) return html`<p role="status">${t('app.loading')}</p>`;
    if (!s.signedIn) return html`<proctor-login .error=${s.error} ?busy=${s.busy} @proctor-login=${(e: Parameters<ProctorSession['login']>[0]) => s.login(e)}></proctor-login>`;
    const [first = '', view = ''] = this.path.split('/');
    const candidate = decodeURIComponent(first);
    if (candidate && view === 'report') return keyed(`${candidate}/report`, html`<review-report .store=${s.store} .candidate=${candidate}></review-report>`);
    return candidate
      ? keyed(candidate, html`<review-case .store=${s.store} .candidate=${candidate}></review-case>`)
      : html`<review-list .store=${s.store} @logout=${() => s.logout()}></review-list>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-app': ReviewApp }
}
