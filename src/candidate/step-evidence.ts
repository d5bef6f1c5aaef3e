import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

/**
 * R4 evidence binding. The phone side (QR code, phone status, the phone's own recording) comes
 * with the evidence issue; until then this step shows the binding code the server issued and
 * the address to open on the phone, says plainly that phone recording is not in this version,
 * and lets the candidate go on.
 * @fires step-done
 */
@customElement('step-evidence')
export class StepEvidence extends LitElement {
  static override styles = [baseStyles, css`
    .code { font: 700 2rem/1.2 ui-monospace, 'SFMono-Regular', Menlo, monospace; letter-spacing: 0.15em; overflow-wrap: anywhere; }
    .url { overflow-wrap: anywhere; }
  `];
  private readonly i18n = new LocaleController(this);

  @property() code = '';

  override render() {
    const url = `${location.origin}/#/evidence/${this.code}`;
    return html`
      <section class="card" aria-labelledby="evidence-title">
        <h1 id="evidence-title">${t('evidence.stepTitle')}</h1>
        <p>${t('evidence.stepIntro')}</p>
        <p>${t('evidence.codeLabel')}</p>
        <p class="code" data-testid="binding-code">${this.code}</p>
        <p class="note url">${t('evidence.openOnPhone', { url })}</p>
        <div class="warn" role="note">${t('evidence.notYet')}</div>
        <div class="actions"><button type="button" @click=${() => this.dispatchEvent(new Event('step-done', { bubbles: true, composed: true }))}>${t('flow.next')}</button></div>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'step-evidence': StepEvidence }
}
