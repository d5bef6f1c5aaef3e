import { LitElement, css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { OnlineController } from './online-controller.js';

/** Says, while the browser is offline, that nothing is lost and what happens next. */
@customElement('offline-banner')
export class OfflineBanner extends LitElement {
  static override styles = css`
    div { background: #fff8c5; color: #3b2300; border-bottom: 1px solid #d4a72c; padding: 0.5rem 1rem; text-align: center; }
  `;
  private readonly i18n = new LocaleController(this);
  private readonly net = new OnlineController(this);

  override render() {
    return this.net.online ? nothing : html`<div role="status">${t('app.offline')}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'offline-banner': OfflineBanner }
}
