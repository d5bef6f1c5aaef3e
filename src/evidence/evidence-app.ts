import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

/** Phone mode (`#/evidence/<code>`). The evidence camera itself comes with its own issue. */
@customElement('evidence-app')
export class EvidenceApp extends LitElement {
  static override styles = baseStyles;
  private readonly i18n = new LocaleController(this);
  @property() code = '';

  override render() {
    return html`<section class="card"><h1>${t('evidence.title')}</h1><p>${t('evidence.unavailable', { code: this.code })}</p></section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'evidence-app': EvidenceApp }
}
