import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { DocumentKind } from '../core/api-schema.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

/**
 * One exam document (R3 procedure, R6 pledge and notice): it must be scrolled to the end before
 * the candidate can go on; accepting is recorded by the server with its time.
 * @fires step-done - the candidate read it to the end and accepted it
 */
@customElement('step-document')
export class StepDocument extends LitElement {
  static override styles = [baseStyles, css`
    .doc { max-height: min(55vh, 32rem); overflow: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem; white-space: pre-wrap; line-break: strict; background: #fbfcfd; }
    .end { height: 1px; }
  `];
  private readonly i18n = new LocaleController(this);

  @property() kind: DocumentKind = 'procedure';
  @property() text = '';
  @property({ type: Boolean }) busy = false;
  @property() error = '';
  @state() private readToEnd = false;
  @query('.end') private end!: HTMLElement;
  @query('.doc') private doc!: HTMLElement;
  private observer: IntersectionObserver | null = null;

  override firstUpdated(): void {
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.readToEnd = true;
    }, { root: this.doc, threshold: 0 });
    this.observer.observe(this.end);
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('kind') && changed.get('kind') !== undefined) this.readToEnd = false;
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('kind') && this.observer) {
      this.doc.scrollTop = 0;
      this.observer.unobserve(this.end);
      this.observer.observe(this.end);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
  }

  override render() {
    const title = t(`doc.${this.kind}`);
    return html`
      <section class="card" aria-labelledby="doc-title">
        <h1 id="doc-title">${title}</h1>
        <div class="doc" tabindex="0" role="document" aria-label=${title}>${this.text}<div class="end"></div></div>
        <p class="note" role="status">${this.readToEnd ? t('doc.readDone') : t('doc.readHint')}</p>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
        <div class="actions"><button type="button" ?disabled=${!this.readToEnd || this.busy}
          @click=${() => this.dispatchEvent(new Event('step-done', { bubbles: true, composed: true }))}>${this.kind === 'procedure' ? t('flow.next') : t('doc.accept')}</button></div>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'step-document': StepDocument }
}
