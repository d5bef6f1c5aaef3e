import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import { missingFields } from '../ui/form-check.js';
import type { FaceLoginGate } from './face-login-gate.js';
import './face-login-gate.js';
import { capturePreview } from '../media/capture.js';

export interface LoginSubmit {
  candidateId: string;
  ticketCode: string;
  takeOver: boolean;
  /** The camera frame at login (JPEG), kept as evidence; null without a camera. */
  capture: Blob | null;
  /** The face gate accepted the capture, or the candidate took the non-face path (live check by the proctor). */
  faceCheck: 'passed' | 'manual';
}

/**
 * Candidate ID and ticket code (R2) with the face gate: login goes ahead once the gate accepted
 * one clear frontal face (that frame is kept as evidence), or when the candidate chooses the
 * non-face path — a live identity check by the proctor — which the server records. Shows the error it is given and, when the server says the
 * candidate is logged in elsewhere, asks before taking over.
 * @fires login-submit - detail: LoginSubmit
 */
@customElement('candidate-login')
export class CandidateLogin extends LitElement {
  static override styles = [baseStyles, css`
    face-login-gate { margin: 1rem 0 0; }
    .check { display: flex; gap: 0.5rem; align-items: flex-start; font-weight: 400; }
    .check input { width: auto; margin: 0.3rem 0 0; min-width: 1.1rem; min-height: 1.1rem; }
  `];
  private readonly i18n = new LocaleController(this);

  @property() examTitle = '';
  @property() helpLine = '';
  @property() error = '';
  @property({ type: Boolean }) busy = false;
  /** True after the server answered `already_logged_in`: ask before ending the other login. */
  @property({ type: Boolean }) askTakeOver = false;

  @state() private stream: MediaStream | null = null;
  @state() private faceCapture: Blob | null = null;
  @state() private manual = false;
  /** Fields left empty, said before anything is sent. */
  @state() private missing = '';
  @query('face-login-gate') private gate!: FaceLoginGate;
  @query('#candidate-id') private idInput!: HTMLInputElement;
  @query('#ticket-code') private codeInput!: HTMLInputElement;

  override connectedCallback(): void {
    super.connectedCallback();
    void capturePreview()
      .then((s) => { if (this.isConnected) this.stream = s; else s.getTracks().forEach((tr) => tr.stop()); })
      .catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stream?.getTracks().forEach((tr) => tr.stop());
  }

  override render() {
    return html`
      <section class="card" aria-labelledby="login-title">
        ${this.examTitle ? html`<p class="note">${this.examTitle}</p>` : nothing}
        <h1 id="login-title">${t('login.title')}</h1>
        <form @submit=${this.onSubmit} novalidate>
          <label for="candidate-id">${t('login.candidateId')}</label>
          <input id="candidate-id" name="candidateId" autocomplete="username" inputmode="text" required ?disabled=${this.busy} />
          <label for="ticket-code">${t('login.ticketCode')}</label>
          <input id="ticket-code" name="ticketCode" type="password" autocomplete="current-password" required ?disabled=${this.busy} />
          <p class="note">${t('login.faceNotice')}</p>
          <face-login-gate .stream=${this.stream} @face-accepted=${(e: CustomEvent<{ capture: Blob | null }>) => { this.faceCapture = e.detail.capture; }}></face-login-gate>
          ${this.faceCapture ? nothing : html`<label class="check"><input type="checkbox" id="manual-check" .checked=${this.manual}
            @change=${(e: Event) => { this.manual = (e.target as HTMLInputElement).checked; }} />${t('face.manual')}</label>
            ${this.manual ? html`<p class="note">${t('face.manualNote')}</p>` : nothing}`}
          ${this.missing ? html`<div class="error" role="alert">${this.missing}</div>` : nothing}
          ${this.error && !this.missing ? html`<div class="error" role="alert">${this.error}${this.helpLine ? html`<br />${t('login.helpLine', { help: this.helpLine })}` : nothing}</div>` : nothing}
          ${this.askTakeOver ? this.renderTakeOver() : html`
            <div class="actions"><button type="submit" ?disabled=${this.busy || (!this.faceCapture && !this.manual)}>${this.busy ? t('login.busy') : t('login.submit')}</button></div>`}
        </form>
      </section>`;
  }

  private renderTakeOver() {
    return html`
      <div role="alertdialog" aria-labelledby="takeover-title" aria-describedby="takeover-body" class="card">
        <h2 id="takeover-title">${t('login.takeOverTitle')}</h2>
        <p id="takeover-body">${t('login.takeOverBody')}</p>
        <div class="actions">
          <button type="button" @click=${() => void this.emit(true)} ?disabled=${this.busy}>${t('login.takeOverConfirm')}</button>
          <button type="button" class="secondary" @click=${() => { this.askTakeOver = false; }}>${t('login.cancel')}</button>
        </div>
      </div>`;
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    this.missing = missingFields(e.target as HTMLFormElement);
    if (!this.missing) void this.emit(false);
  }

  private async emit(takeOver: boolean): Promise<void> {
    const detail: LoginSubmit = {
      candidateId: this.idInput.value.trim(), ticketCode: this.codeInput.value.trim(), takeOver,
      capture: this.faceCapture ?? await this.gate.currentFrame(),
      faceCheck: this.faceCapture ? 'passed' : 'manual',
    };
    this.dispatchEvent(new CustomEvent('login-submit', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'candidate-login': CandidateLogin }
}
