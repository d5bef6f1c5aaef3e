import { LitElement, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

export interface LoginSubmit {
  candidateId: string;
  ticketCode: string;
  takeOver: boolean;
}

/**
 * Candidate ID and ticket code (R2). Shows the error it is given and, when the server says the
 * candidate is logged in elsewhere, asks before taking over.
 * @fires login-submit - detail: LoginSubmit
 */
@customElement('candidate-login')
export class CandidateLogin extends LitElement {
  static override styles = baseStyles;
  private readonly i18n = new LocaleController(this);

  @property() examTitle = '';
  @property() helpLine = '';
  @property() error = '';
  @property({ type: Boolean }) busy = false;
  /** True after the server answered `already_logged_in`: ask before ending the other login. */
  @property({ type: Boolean }) askTakeOver = false;

  @query('#candidate-id') private idInput!: HTMLInputElement;
  @query('#ticket-code') private codeInput!: HTMLInputElement;

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
          ${this.error ? html`<div class="error" role="alert">${this.error}${this.helpLine ? html`<br />${t('login.helpLine', { help: this.helpLine })}` : nothing}</div>` : nothing}
          ${this.askTakeOver ? this.renderTakeOver() : html`
            <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t('login.busy') : t('login.submit')}</button></div>`}
        </form>
      </section>`;
  }

  private renderTakeOver() {
    return html`
      <div role="alertdialog" aria-labelledby="takeover-title" aria-describedby="takeover-body" class="card">
        <h2 id="takeover-title">${t('login.takeOverTitle')}</h2>
        <p id="takeover-body">${t('login.takeOverBody')}</p>
        <div class="actions">
          <button type="button" @click=${() => this.emit(true)} ?disabled=${this.busy}>${t('login.takeOverConfirm')}</button>
          <button type="button" class="secondary" @click=${() => { this.askTakeOver = false; }}>${t('login.cancel')}</button>
        </div>
      </div>`;
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    this.emit(false);
  }

  private emit(takeOver: boolean): void {
    const detail: LoginSubmit = { candidateId: this.idInput.value.trim(), ticketCode: this.codeInput.value.trim(), takeOver };
    this.dispatchEvent(new CustomEvent('login-submit', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'candidate-login': CandidateLogin }
}
