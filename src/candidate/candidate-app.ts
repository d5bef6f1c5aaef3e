import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PublicExam } from '../core/api-schema.js';
import { pickText } from '../core/localized.js';
import { timelineAt } from '../core/timeline.js';
import { ApiRequestError } from '../net/api-error.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { errorText } from '../ui/error-text.js';
import { CandidateSession } from './candidate-session.js';
import { listRecordings } from '../storage/recording-store.js';
import type { LoginSubmit } from './candidate-login.js';
import './candidate-login.js';
import './candidate-home.js';
import './exam-recording.js';

const VIEWS = { loading: 'loading', login: 'login', home: 'home' } as const;
type View = (typeof VIEWS)[keyof typeof VIEWS];

/** The candidate mode (`#/`): chooses between login and the waiting view, online or not. */
@customElement('candidate-app')
export class CandidateApp extends LitElement {
  static override styles = css`:host { display: block; }`;
  private readonly i18n = new LocaleController(this);

  /** From the URL (`#/?exam=ID`); optional when the candidate is in one exam only. */
  @property() examId: string | null = null;
  /** `#/exam`: the minimal exam page with recording and the upload screen. */
  @property() page: 'home' | 'exam' = 'home';
  @state() private view: View = VIEWS.loading;
  @state() private error = '';
  @state() private busy = false;
  @state() private askTakeOver = false;
  @state() private exam: PublicExam | null = null;
  @state() private offlineView = false;
  @state() private pendingUploads = 0;

  private readonly session = new CandidateSession();
  private readonly onOnline = () => void this.reload();
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('online', this.onOnline);
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.reloadTimer);
  }

  private async start(): Promise<void> {
    await this.session.restore();
    await this.countPending();
    if (this.session.session) {
      this.view = VIEWS.home;
      this.offlineView = true;
    }
    await this.reload();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('page') && this.page === 'home') void this.countPending();
  }

  private async countPending(): Promise<void> {
    this.pendingUploads = (await listRecordings()).filter((r) => r.state !== 'verified').length;
  }

  /** Re-reads state from the server when it can; keeps the stored view when it cannot. */
  private async reload(): Promise<void> {
    await this.session.clock.syncNow();
    if (this.session.session) {
      try {
        const { snapshot, fresh } = await this.session.load();
        this.offlineView = !fresh;
        this.view = snapshot ? VIEWS.home : VIEWS.login;
        if (!snapshot) this.error = t('error.network');
        this.scheduleReload();
      } catch (err) {
        this.error = errorText(err, this.formatTime);
        this.view = VIEWS.login;
      }
      return;
    }
    this.view = VIEWS.login;
    try {
      const exams = await this.session.publicExams();
      this.exam = exams.find((e) => e.id === this.examId) ?? exams[0] ?? null;
    } catch {
      // Offline before any login: the form still shows; submitting explains the network error.
    }
  }

  /** Reads the server again just after the next boundary (e.g. numbers assigned at the lottery deadline). */
  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    const me = this.session.snapshot?.me;
    if (!me) return;
    const next = timelineAt(me.exam.times, this.session.clock.now(), me.progress).nextChangeAt;
    const wait = next === null ? null : next - this.session.clock.now() + 1_500;
    if (wait !== null && wait < 2 ** 31 - 1) this.reloadTimer = setTimeout(() => void this.reload(), wait);
  }

  private readonly formatTime = (ms: number) => new Date(ms).toLocaleString(locale());

  private async onLogin(e: CustomEvent<LoginSubmit>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await this.session.login({ examId: this.examId, ...e.detail });
      this.askTakeOver = false;
      this.offlineView = false;
      this.view = VIEWS.home;
    } catch (err) {
      this.askTakeOver = err instanceof ApiRequestError && err.code === 'already_logged_in';
      // The take-over dialog says it all; an error box above it would repeat it.
      this.error = this.askTakeOver ? '' : errorText(err, this.formatTime);
    } finally {
      this.busy = false;
    }
  }

  private async onDraw(): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await this.session.draw();
    } catch (err) {
      this.error = errorText(err, this.formatTime);
    } finally {
      this.busy = false;
    }
  }

  private async onLogout(): Promise<void> {
    await this.session.logout();
    this.error = '';
    await this.reload();
  }

  override render() {
    switch (this.view) {
      case VIEWS.loading:
        return html`<p role="status">${t('app.loading')}</p>`;
      case VIEWS.login:
        return html`<candidate-login
          .examTitle=${this.exam ? pickText(this.exam.title, locale()) : ''}
          .helpLine=${this.exam ? pickText(this.exam.helpLine, locale()) : ''}
          .error=${this.error} ?busy=${this.busy} ?askTakeOver=${this.askTakeOver}
          @login-submit=${this.onLogin}></candidate-login>`;
      case VIEWS.home:
        if (this.page === 'exam') {
          return html`<exam-recording .me=${this.session.snapshot?.me ?? null} .now=${() => this.session.clock.now()}></exam-recording>`;
        }
        return html`<candidate-home
          .me=${this.session.snapshot?.me ?? null} .now=${() => this.session.clock.now()}
          .savedAt=${this.offlineView ? (this.session.snapshot?.savedAt ?? 0) : 0}
          .error=${this.error} ?drawing=${this.busy} .pendingUploads=${this.pendingUploads}
          @draw=${this.onDraw} @logout=${this.onLogout}></candidate-home>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap { 'candidate-app': CandidateApp }
}
