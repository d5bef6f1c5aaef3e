import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

/** Review mode (`#/review/...`). Playback with flagged moments comes with its own issue. */
@customElement('review-app')
export class ReviewApp extends LitElement {
  static override styles = baseStyles;
  private readonly i18n = new LocaleController(this);
  @property() path = '';

  override render() {
    return html`<section class="card"><h1>${t('review.title')}</h1><p>${t('review.unavailable')}</p></section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-app': ReviewApp }
}
