import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { FaceMatchState } from '../core/api-schema.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import './face-login-gate.js';
import { capturePreview } from '../media/capture.js';

/**
 * R2 face match, a step of its own so consent is separate and explicit (PIPL Art. 29, GDPR
 * Art. 9(2)(a)): what is compared, where, what the server keeps, and that declining costs
 * nothing — the proctor checks identity live. Then the comparison (a new capture through the
 * face gate when the login one is not on this page) and its outcome.
 * @fires consent - detail: { given: boolean }
 * @fires compare - detail: { capture?: Blob | null } (none: the login capture; null: no usable camera, recorded as such)
 * @fires step-done
 */
@customElement('step-identity')
export class StepIdentity extends LitElement {
  static override styles = [baseStyles, css`
    ul { padding-inline-start: 1.25rem; }
    li { margin: 0.25rem 0; }
    .ok { color: #116329; font-weight: 700; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) match: FaceMatchState | null = null;
  /** The login capture is on this page: comparing needs no new one. */
  @property({ type: Boolean }) hasCapture = false;
  @property({ type: Boolean }) busy = false;
  @property() error = '';
  @property({ attribute: false }) similarity: number | null = null;
  @state() private stream: MediaStream | null = null;
  private askingCamera = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopCamera();
  }

  private stopCamera(): void {
    this.stream?.getTracks().forEach((tr) => tr.stop());
    this.stream = null;
  }

  private emit(type: string, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  override updated(): void {
    // A new capture is needed only after consent, without the login one, before an outcome.
    const needsCamera = this.match?.consent?.given === true && this.match.path === null && !this.hasCapture;
    if (needsCamera && !this.stream && !this.askingCamera) {
      // Once: an update while the browser still asks must not open a second camera stream.
      this.askingCamera = true;
      void capturePreview()
        .then((s) => { if (this.isConnected) this.stream = s; else s.getTracks().forEach((tr) => tr.stop()); })
        .catch(() => this.emit('compare', { capture: null }))
        .finally(() => { this.askingCamera = false; });
    } else if (!needsCamera && this.stream) {
      this.stopCamera();
    }
  }

  override render() {
    const m = this.match;
    const body = !m ? nothing : m.path !== null ? this.renderOutcome(m) : m.consent?.given ? this.renderComparing() : this.renderConsent(m);
    return html`
      <section class="card" aria-labelledby="identity-title">
        <h1 id="identity-title">${t('identity.title')}</h1>
        ${body}
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      </section>`;
  }

  private renderConsent(m: FaceMatchState) {
    return html`
      <p>${t('identity.intro')}</p>
      <ul>
        <li>${t('identity.what')}</li>
        <li>${t('identity.where')}</li>
        <li>${m.storesDescriptors ? t('identity.keptWithDescriptors') : t('identity.kept')}</li>
        <li>${t('identity.choice')}</li>
      </ul>
      <p class="note">${t('identity.law')}</p>
      <div class="actions">
        <button type="button" ?disabled=${this.busy} @click=${() => this.emit('consent', { given: true })}>${t('identity.agree')}</button>
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.emit('consent', { given: false })}>${t('identity.decline')}</button>
      </div>`;
  }

  private renderComparing() {
    if (this.busy) return html`<p role="status">${t('identity.comparing')}</p>`;
    // The login capture is here (a failed try, e.g. offline, leaves it): compare with it.
    if (this.hasCapture) {
      return html`<div class="actions"><button type="button" @click=${() => this.emit('compare', {})}>${t('identity.compare')}</button></div>`;
    }
    return html`
      <p>${t('identity.newCapture')}</p>
      <face-login-gate .stream=${this.stream}
        @face-accepted=${(e: CustomEvent<{ capture: Blob | null }>) => this.emit('compare', { capture: e.detail.capture })}
        @face-unavailable=${() => this.emit('compare', { capture: null })}></face-login-gate>
      <div class="actions"><button type="button" class="secondary" @click=${() => this.emit('compare', { capture: null })}>${t('identity.cannotCapture')}</button></div>`;
  }

  private renderOutcome(m: FaceMatchState) {
    const matched = m.path === 'matched';
    const score = this.similarity === null ? '' : t('identity.score', { score: this.similarity.toFixed(2), threshold: m.threshold.toFixed(2) });
    return html`
      <p role="status" class=${matched ? 'ok' : ''} data-path=${m.path ?? ''}>${t(`identity.path.${m.path ?? 'unavailable'}`)}</p>
      ${score ? html`<p class="note">${score}</p>` : nothing}
      <div class="actions"><button type="button" @click=${() => this.emit('step-done')}>${t('flow.next')}</button></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'step-identity': StepIdentity }
}
