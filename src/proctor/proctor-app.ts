import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { z } from 'zod';
import { SessionTokens } from '../core/api-schema.js';
import { ApiRequestError } from '../net/api-error.js';
import { SessionStore } from '../net/session-store.js';
import { deviceId } from '../storage/kv.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { errorText } from '../ui/error-text.js';
import type { ProctorLoginSubmit } from './proctor-login.js';
import './proctor-login.js';
import './proctor-room.js';

/** The proctor mode (`#/proctor`): login, then the live room of this proctor's candidates. */
@customElement('proctor-app')
export class ProctorApp extends LitElement {
  private readonly i18n = new LocaleController(this);
  @state() private signedIn = false;
  @state() private restoring = true;
  @state() private error = '';
  @state() private busy = false;
  private readonly store = new SessionStore('proctor');
  private readonly formatTime = (ms: number) => new Date(ms).toLocaleString(locale());

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
        ? t('error.invalid_credentials.proctor') : errorText(err, this.formatTime);
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
    return this.signedIn
      ? html`<proctor-room .store=${this.store} @logout=${this.onLogout}></proctor-room>`
      : html`<proctor-login .error=${this.error} ?busy=${this.busy} @proctor-login=${this.onLogin}></proctor-login>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'proctor-app': ProctorApp }
}
