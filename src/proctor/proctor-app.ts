import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { ProctorSession } from './proctor-session.js';
import './proctor-login.js';
import './proctor-room.js';

/** The proctor mode (`#/proctor`): login, then the live room of this proctor's candidates. */
@customElement('proctor-app')
export class ProctorApp extends LitElement {
  private readonly i18n = new LocaleController(this);
  private readonly session = new ProctorSession(this);

  override render() {
    const s = this.session;
    if (s.restoring) return html`<p role="status">${t('app.loading')}</p>`;
    return s.signedIn
      ? html`<proctor-room .store=${s.store} @logout=${() => s.logout()}></proctor-room>`
      : html`<proctor-login .error=${s.error} ?busy=${s.busy} @proctor-login=${(e: Parameters<ProctorSession['login']>[0]) => s.login(e)}></proctor-login>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'proctor-app': ProctorApp }
}
