import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';

/** Says, while the browser is offline, that nothing is lost and what happens next. */
@customElement('offline-banner')
export class OfflineBanner extends LitElement {
  static override styles = css`
    div { background: #fff8c5; color: #3b2300; border-bottom: 1px solid #d4a72c; padding: 0.5rem 1rem; text-align: center; }
  `;
  private readonly i18n = new LocaleController(this);
  @state() private offline = !navigator.onLine;
  private readonly onChange = () => {
    this.offline = !navigator.onLine;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('online', this.onChange);
    window.addEventListener('offline', this.onChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.onChange);
    window.removeEventListener('offline', this.onChange);
  }

  override render() {
    return this.offline ? html`<div role="status">${t('app.offline')}</div>` : nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'offline-banner': OfflineBanner }
}
