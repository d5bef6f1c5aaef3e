import { LitElement, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { z } from 'zod';
import { SessionTokens } from '../core/api-schema.js';
import { ApiRequestError } from '../net/api-error.js';
import { SessionStore } from '../net/session-store.js';
import { deviceId } from '../storage/kv.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { errorText } from '../ui/error-text.js';
import type { ProctorLoginSubmit } from '../proctor/proctor-login.js';
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
  @property() path = '';
  @state() private signedIn = false;
  @state() private restoring = true;
  @state() private error = '';
  @state() private busy = false;
  private readonly store = new SessionStore('proctor');

  override connectedCallback(): void {
    super.connectedCallback();
    void this.store.restore().then((s) => {
      this.signedIn = s !== null;
      this.restoring = false;
    });
  }

  private async onLogin(e: CustomEvent<ProctorLoginSubmit>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const tokens = await this.store.api.request('POST', '/api/session/proctor', SessionTokens, { ...e.detail, deviceId: await deviceId() });
      await this.store.save({ role: 'proctor', examId: e.detail.examId, ...tokens });
      this.signedIn = true;
    } catch (err) {
      this.error = err instanceof ApiRequestError && err.code === 'invalid_credentials'
        ? t('error.invalid_credentials.proctor') : errorText(err, (ms) => new Date(ms).toLocaleString(locale()));
    } finally {
      this.busy = false;
    }
  }

  private async onLogout(): Promise<void> {
    await this.store.api.authed('DELETE', '/api/session/proctor', z.null()).catch(() => undefined);
    await this.store.forget();
    this.signedIn = false;
  }

  override render() {
    if (this.restoring) return html`<p role="status">${t('app.loading')}</p>`;
    if (!this.signedIn) return html`<proctor-login .error=${this.error} ?busy=${this.busy} @proctor-login=${this.onLogin}></proctor-login>`;
    const [first = '', view = ''] = this.path.split('/');
    const candidate = decodeURIComponent(first);
    if (candidate && view === 'report') return keyed(`${candidate}/report`, html`<review-report .store=${this.store} .candidate=${candidate}></review-report>`);
    return candidate
      ? keyed(candidate, html`<review-case .store=${this.store} .candidate=${candidate}></review-case>`)
      : html`<review-list .store=${this.store} @logout=${this.onLogout}></review-list>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-app': ReviewApp }
}
