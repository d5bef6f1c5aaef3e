import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { z } from 'zod';
import { ProctorRoster as RosterSchema, SessionTokens, type ProctorRoster } from '../core/api-schema.js';
import { ApiRequestError } from '../net/api-error.js';
import { SessionStore } from '../net/session-store.js';
import { deviceId } from '../storage/kv.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { errorText } from '../ui/error-text.js';
import type { ProctorLoginSubmit } from './proctor-login.js';
import './proctor-login.js';
import './proctor-roster.js';

/** The proctor mode (`#/proctor`): login, then the rooms this proctor watches. */
@customElement('proctor-app')
export class ProctorApp extends LitElement {
  private readonly i18n = new LocaleController(this);
  @state() private roster: ProctorRoster | null = null;
  @state() private error = '';
  @state() private busy = false;
  private readonly store = new SessionStore('proctor');
  private readonly api = this.store.api;
  private readonly formatTime = (ms: number) => new Date(ms).toLocaleString(locale());

  override connectedCallback(): void {
    super.connectedCallback();
    void this.store.restore().then((s) => {
      if (s) void this.load();
    });
  }

  private async load(): Promise<void> {
    try {
      this.roster = await this.api.authed('GET', '/api/proctor/roster', RosterSchema);
      this.error = '';
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 401) await this.forget();
      this.error = errorText(err, this.formatTime);
    }
  }

  private async onLogin(e: CustomEvent<ProctorLoginSubmit>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const tokens = await this.api.request('POST', '/api/session/proctor', SessionTokens, { ...e.detail, deviceId: await deviceId() });
      await this.store.save({ role: 'proctor', examId: e.detail.examId, ...tokens });
      await this.load();
    } catch (err) {
      this.error = err instanceof ApiRequestError && err.code === 'invalid_credentials'
        ? t('error.invalid_credentials.proctor') : errorText(err, this.formatTime);
    } finally {
      this.busy = false;
    }
  }

  private async onLogout(): Promise<void> {
    await this.api.authed('DELETE', '/api/session/proctor', z.null()).catch(() => undefined);
    await this.forget();
  }

  private async forget(): Promise<void> {
    this.roster = null;
    await this.store.forget();
  }

  override render() {
    return this.roster
      ? html`<proctor-roster .roster=${this.roster} .error=${this.error} @refresh=${this.load} @logout=${this.onLogout}></proctor-roster>`
      : html`<proctor-login .error=${this.error} ?busy=${this.busy} @proctor-login=${this.onLogin}></proctor-login>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'proctor-app': ProctorApp }
}
