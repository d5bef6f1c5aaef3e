import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { formatBindingCode, phoneUrl, type BindingCodeReply, type PhoneStatus } from '../core/evidence-phone.js';
import { formatDuration } from '../core/format-duration.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import '../ui/qr-code.js';
import './phone-status-line.js';

/**
 * R4 evidence binding: a QR code with our phone page's address and a one-time code (valid about
 * ten minutes, a new one on demand), the code as text behind 【智试通二维码】 for typing on the
 * phone, and the bound phone's status as it arrives. The candidate may go on without a phone;
 * the proctor then sees that no phone is bound.
 * @fires new-code - a fresh binding code is wanted
 * @fires step-done
 */
@customElement('step-evidence')
export class StepEvidence extends LitElement {
  static override styles = [baseStyles, css`
    .pair { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 1.25rem; align-items: start; }
    @media (max-width: 40rem) { .pair { grid-template-columns: 1fr; } }
    .code { font: 700 2rem/1.2 ui-monospace, 'SFMono-Regular', Menlo, monospace; letter-spacing: 0.12em; overflow-wrap: anywhere; margin: 0.25rem 0; }
    .url { overflow-wrap: anywhere; }
    qr-code { border: 1px solid #d0d7de; border-radius: 6px; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) code: BindingCodeReply | null = null;
  @property({ attribute: false }) phone: PhoneStatus | null = null;
  @property({ type: Boolean }) failed = false;
  @property({ attribute: false }) now: () => number = () => Date.now();
  @state() private showCode = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.code) this.ask();
  }

  private ask(): void {
    this.dispatchEvent(new Event('new-code', { bubbles: true, composed: true }));
  }

  override render() {
    const code = this.code;
    const left = code ? code.expiresAt - this.now() : 0;
    const url = code ? phoneUrl(location.origin, code.code) : '';
    return html`
      <section class="card" aria-labelledby="evidence-title">
        <h1 id="evidence-title">${t('evidence.stepTitle')}</h1>
        <p>${t('evidence.stepIntro')}</p>
        ${this.failed ? html`<div class="error" role="alert">${t('evidence.codeFailed')}</div>` : nothing}
        ${code && left > 0 ? html`<div class="pair">
            <qr-code .value=${url} label=${t('evidence.qrLabel')} data-testid="binding-qr"></qr-code>
            <div>
              <p>${t('evidence.scanHint')}</p>
              <p class="note" role="timer">${t('evidence.expiresIn', { left: formatDuration(left) })}</p>
              <div class="actions">
                <button type="button" class="secondary" aria-expanded=${this.showCode ? 'true' : 'false'} @click=${() => { this.showCode = !this.showCode; }}>${t('evidence.showCode')}</button>
                <button type="button" class="secondary" @click=${() => this.ask()}>${t('evidence.newCode')}</button>
              </div>
              ${this.showCode ? html`<p>${t('evidence.codeLabel')}</p><p class="code" data-testid="binding-code">${formatBindingCode(code.code)}</p>
                <p class="note url">${t('evidence.openOnPhone', { url: `${location.origin}/#/evidence` })}</p>` : nothing}
            </div>
          </div>`
        : code ? html`<div class="warn" role="status">${t('evidence.expired')}
            <div class="actions"><button type="button" @click=${() => this.ask()}>${t('evidence.newCode')}</button></div></div>` : nothing}
        <h2>${t('evidence.phoneTitle')}</h2>
        <phone-status-line .phone=${this.phone} .now=${this.now}></phone-status-line>
        ${this.phone ? nothing : html`<p class="note">${t('evidence.goOnWithout')}</p>`}
        <div class="actions"><button type="button" @click=${() => this.dispatchEvent(new Event('step-done', { bubbles: true, composed: true }))}>${t('flow.next')}</button></div>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'step-evidence': StepEvidence }
}
