import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import { missingFields } from '../ui/form-check.js';

export interface ProctorLoginSubmit { examId: string; proctorId: string; password: string }

/**
 * Exam id, proctor id and password.
 * @fires proctor-login - detail: ProctorLoginSubmit
 */
@customElement('proctor-login')
export class ProctorLogin extends LitElement {
  static override styles = baseStyles;
  private readonly i18n = new LocaleController(this);
  @property() error = '';
  @property({ type: Boolean }) busy = false;
  @query('form') private form!: HTMLFormElement;
  /** Fields left empty, said before anything is sent. */
  @state() private missing = '';

  override render() {
    return html`
      <section class="card" aria-labelledby="proctor-title">
        <h1 id="proctor-title">${t('proctor.title')}</h1>
        <form @submit=${this.onSubmit} novalidate>
          <label for="exam-id">${t('proctor.examId')}</label>
          <input id="exam-id" name="examId" required ?disabled=${this.busy} />
          <label for="proctor-id">${t('proctor.proctorId')}</label>
          <input id="proctor-id" name="proctorId" autocomplete="username" required ?disabled=${this.busy} />
          <label for="password">${t('proctor.password')}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required ?disabled=${this.busy} />
          ${this.missing || this.error ? html`<div class="error" role="alert">${this.missing || this.error}</div>` : nothing}
          <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('proctor.submit')}</button></div>
        </form>
      </section>`;
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    this.missing = missingFields(this.form);
    if (this.missing) return;
    const data = new FormData(this.form);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' ? value : '';
    };
    const detail: ProctorLoginSubmit = { examId: text('examId').trim(), proctorId: text('proctorId').trim(), password: text('password') };
    this.dispatchEvent(new CustomEvent('proctor-login', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'proctor-login': ProctorLogin }
}
