import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { LocaleController, locale, setLocale, t } from '../i18n/i18n.js';

/** A button switching between 中文 and English; the choice is remembered on this device. */
@customElement('lang-switch')
export class LangSwitch extends LitElement {
  static override styles = css`
    button { font: inherit; min-height: 44px; padding: 0.4rem 0.9rem; border-radius: 6px; border: 1px solid #8c959f; background: #fff; color: #1b1f24; cursor: pointer; }
    button:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
  `;
  private readonly i18n = new LocaleController(this);

  override render() {
    const next = locale() === 'en' ? 'zh-CN' : 'en';
    return html`<button type="button" lang=${next} title=${t('lang.label')} @click=${() => setLocale(next)}>${t('lang.switch')}</button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'lang-switch': LangSwitch }
}
