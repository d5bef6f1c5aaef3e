import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { z } from 'zod';
import type { DocumentKind, PublicExam, QuestionList } from '../core/api-schema.js';
import { WARNED_EVENTS, type EventType } from '../core/event-schema.js';
import { examStage, visibleSteps, type Step } from '../core/flow.js';
import { pickText } from '../core/localized.js';
import type { LocalRecording } from '../core/stored-schema.js';
import { timelineAt } from '../core/timeline.js';
import { NotWholeScreenError } from '../media/capture.js';
import { ApiRequestError } from '../net/api-error.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { errorText } from '../ui/error-text.js';
import { baseStyles } from '../ui/ui-styles.js';
import { isStorageFull, listRecordings } from '../storage/recording-store.js';
import { CandidateFlow } from './candidate-flow.js';
import type { LoginSubmit } from './candidate-login.js';
import type { DeviceSwitch } from './step-devices.js';
import './candidate-login.js';
import './step-system-check.js';
import './step-document.js';
import './step-identity.js';
import './step-evidence.js';
import './step-lottery.js';
import './step-enter.js';
import './step-devices.js';
import './step-exam.js';
import './upload-status.js';

const CHAT_POLL_MS = 10_000;
const QUESTION_RETRY_MS = 3_000;

/**
 * The candidate mode (`#/`): R1–R10 as one flow. The step shown is a pure function of what the
 * server decided and what this device kept (CandidateFlow.step), so a reload lands on it again.
 */
@customElement('candidate-app')
export class CandidateApp extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    .narrow { max-width: 44rem; margin: 0 auto; }
    .steps { margin: 0 0 0.75rem; }
  `];
  private readonly i18n = new LocaleController(this);

  @property() examId: string | null = null;
  @state() private loading = true;
  @state() private error = '';
  @state() private busy = false;
  @state() private askTakeOver = false;
  @state() private exam: PublicExam | null = null;
  @state() private offlineView = false;
  @state() private recordings: LocalRecording[] = [];
  @state() private questions: QuestionList | null = null;
  @state() private warning = '';
  private readonly flow = new CandidateFlow(() => this.requestUpdate(), (type, detail) => this.warn(type, detail));
  private ticker: ReturnType<typeof setInterval> | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private warningTimer: ReturnType<typeof setTimeout> | undefined;
  private lastQuestionTry = -Infinity;
  private lastChatPoll = -Infinity;
  private readonly onOnline = () => void this.reload();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('online', this.onOnline);
    this.flow.scheduler.start();
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.onOnline);
    this.flow.scheduler.stop();
    clearInterval(this.ticker);
    clearTimeout(this.reloadTimer);
  }

  private async start(): Promise<void> {
    await this.flow.restore();
    this.offlineView = this.flow.me !== null;
    this.loading = this.flow.me === null && this.flow.session.session !== null;
    await this.reload();
    this.loading = false;
    this.ticker = setInterval(() => void this.tick(), 1000);
    void this.tick();
  }

  /** Re-reads state from the server when it can; the stored state stands when it cannot. */
  private async reload(): Promise<void> {
    await this.flow.session.clock.syncNow();
    if (this.flow.session.session) {
      try {
        const { fresh } = await this.flow.session.load();
        this.offlineView = !fresh;
        await this.flow.loadFlow();
        this.scheduleReload();
      } catch (err) {
        this.error = errorText(err, this.formatTime);
      }
    } else {
      this.exam = await this.flow.session.publicExams()
        .then((exams) => exams.find((e) => e.id === this.examId) ?? exams[0] ?? null).catch(() => this.exam);
    }
    this.recordings = await this.myRecordings();
    this.requestUpdate();
  }

  /** Reads the server again just after the next boundary (lottery deadline, entry window). */
  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    const me = this.flow.me;
    if (!me) return;
    const next = timelineAt(me.exam.times, this.flow.now(), me.progress).nextChangeAt;
    const wait = next === null ? null : next - this.flow.now() + 1_500;
    if (wait !== null && wait < 2 ** 31 - 1) this.reloadTimer = setTimeout(() => void this.reload(), wait);
  }

  private async myRecordings(): Promise<LocalRecording[]> {
    const me = this.flow.me;
    const order = { camera: 0, screen: 1, evidence: 2 };
    return (await listRecordings()).filter((r) => !me || (r.examId === me.exam.id && r.candidateId === me.candidate.id))
      .sort((a, b) => order[a.kind] - order[b.kind]);
  }

  /**
   * Once a second: time-driven changes (questions at the start, the end) without any input.
   * Retry intervals use the monotonic clock: a device-clock jump must not stall them.
   */
  private async tick(): Promise<void> {
    const step = this.flow.step();
    const now = this.flow.now();
    const me = this.flow.me;
    if (step === 'exam' && me && !this.questions && examStage(me.exam.times, now).stage !== 'waiting' && performance.now() - this.lastQuestionTry >= QUESTION_RETRY_MS) {
      await this.loadQuestions();
    }
    if (step === 'exam' && performance.now() - this.lastChatPoll >= CHAT_POLL_MS) {
      this.lastChatPoll = performance.now();
      void this.flow.refreshChat();
    }
    if (step === 'upload') {
      await this.flow.finish();
      this.recordings = await this.myRecordings();
    }
    this.requestUpdate();
  }

  private async loadQuestions(): Promise<void> {
    this.lastQuestionTry = performance.now();
    this.questions = await this.flow.questionsAt(this.flow.now());
    this.requestUpdate();
  }

  private warn(type: EventType, detail?: Record<string, string | number | boolean>): void {
    if (this.flow.step() !== 'exam') return;
    const presence = type === 'face-flag' && detail?.state === 'raised';
    if (!presence && !WARNED_EVENTS.has(type)) return;
    // "Can't see" asks to fix the camera; "suspicious" asks to stay in view — never an accusation.
    this.warning = presence ? t(detail.kind === 'cant-see' ? 'presence.cant-see' : 'presence.suspicious') : t(`warn.${type}` as Parameters<typeof t>[0]);
    clearTimeout(this.warningTimer);
    this.warningTimer = setTimeout(() => { this.warning = ''; }, 10_000);
  }

  private readonly formatTime = (ms: number) => new Date(ms).toLocaleString(locale());

  /** Runs a step action with the busy flag; errors become the translated message. */
  private async act(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await fn();
    } catch (err) {
      this.error = err instanceof NotWholeScreenError ? t('exam.notWholeScreen')
        : err instanceof DOMException ? t('exam.captureFailed', { detail: err.name })
        : isStorageFull(err) ? t('exam.storageFull') : errorText(err, this.formatTime);
      if (err instanceof ApiRequestError && (err.code === 'entry_closed' || err.code === 'lottery_required')) await this.reload();
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private async onLogin(e: CustomEvent<LoginSubmit>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await this.flow.session.login({ examId: this.examId, ...e.detail });
      this.askTakeOver = false;
      this.offlineView = false;
      await this.flow.loadFlow();
      // Face match compares only a frame the face gate accepted (kept in memory, this page only).
      this.flow.identity.capture = e.detail.faceCheck === 'passed' ? e.detail.capture : null;
      if (e.detail.capture) {
        void this.flow.session.api.authed('POST', `/api/candidate/login-capture?faceCheck=${e.detail.faceCheck}`, z.unknown(), e.detail.capture).catch(() => undefined);
      }
      this.recordings = await this.myRecordings();
    } catch (err) {
      this.askTakeOver = err instanceof ApiRequestError && err.code === 'already_logged_in';
      this.error = this.askTakeOver ? '' : errorText(err, this.formatTime);
    } finally {
      this.busy = false;
    }
  }

  private async logout(): Promise<void> {
    await this.flow.session.logout();
    this.error = '';
    await this.reload();
  }

  private shownStep: Step | null = null;

  /** A new step takes the focus to its heading, so keyboard and screen-reader users start there. */
  override updated(): void {
    const step = this.loading ? null : this.flow.step();
    if (step === this.shownStep) return;
    const first = this.shownStep === null;
    this.shownStep = step;
    if (first || step === null) return;
    const host = this.renderRoot.querySelector<HTMLElement & { updateComplete?: Promise<unknown> }>('.step > *');
    if (!host) return;
    void Promise.resolve(host.updateComplete).then(() => {
      const heading = host.shadowRoot?.querySelector<HTMLElement>('h1') ?? host.querySelector<HTMLElement>('h1');
      if (!heading) return;
      heading.tabIndex = -1;
      heading.focus();
    });
  }

  override render() {
    if (this.loading) return html`<p role="status">${t('app.loading')}</p>`;
    const step = this.flow.step();
    const match = this.flow.me?.face.match;
    const steps = visibleSteps(Boolean(match?.enabled && match.hasReference));
    const index = steps.findIndex((s) => s.step === step);
    return html`<div class=${step === 'exam' ? '' : 'narrow'}>
      ${index >= 0 ? html`<p class="note steps" data-step=${step}>${t('flow.stepOf', { n: index + 1, total: steps.length, name: t(`flow.${step}` as Parameters<typeof t>[0]) })}</p>` : nothing}
      ${this.offlineView && this.flow.me ? html`<p class="note">${t('home.savedAt', { time: this.formatTime(this.flow.session.snapshot?.savedAt ?? 0) })}</p>` : nothing}
      <div class="step">${this.renderStep(step)}</div>
      ${step === 'check' || step === 'login' ? html`<upload-status .recordings=${this.recordings.filter((r) => r.state !== 'verified')} .outcomes=${this.flow.outcomes}></upload-status>` : nothing}
      ${this.flow.me && !['devices', 'exam', 'upload'].includes(step) ? html`<div class="actions"><button type="button" class="secondary" @click=${this.logout}>${t('home.logout')}</button></div>` : nothing}
    </div>`;
  }

  private renderStep(step: Step) {
    const me = this.flow.me;
    const now = () => this.flow.now();
    const help = me ? pickText(me.exam.helpLine, locale()) : this.exam ? pickText(this.exam.helpLine, locale()) : '';
    const next = (fn: () => Promise<void>) => () => void this.act(fn);
    const doc = (kind: DocumentKind) => html`<step-document .kind=${kind} .text=${me ? pickText(me.documents[kind], locale()) : ''} ?busy=${this.busy} .error=${this.error}
      @step-done=${next(() => this.flow.accept(kind))}></step-document>`;
    switch (step) {
      case 'check': {
        const times = this.exam?.times;
        return html`<step-system-check .examSeconds=${times ? (times.endAt - times.entryOpensAt) / 1000 : 1800}
          @step-done=${next(() => this.flow.passCheck())}></step-system-check>`;
      }
      case 'login':
        return html`<candidate-login .examTitle=${this.exam ? pickText(this.exam.title, locale()) : ''} .helpLine=${help}
          .error=${this.error} ?busy=${this.busy} ?askTakeOver=${this.askTakeOver} @login-submit=${this.onLogin}></candidate-login>`;
      case 'identity':
        return html`<step-identity .match=${me?.face.match ?? null} ?hasCapture=${this.flow.identity.capture !== null} ?busy=${this.busy}
          .error=${this.error} .similarity=${this.flow.identity.similarity}
          @consent=${(e: CustomEvent<{ given: boolean }>) => void this.act(() => this.flow.answerIdentity(e.detail.given))}
          @compare=${(e: CustomEvent<{ capture?: Blob | null }>) => void this.act(async () => {
            await this.flow.identity.compare(e.detail.capture === undefined ? this.flow.identity.capture : e.detail.capture);
          })}
          @step-done=${next(() => this.flow.ack('identity'))}></step-identity>`;
      case 'procedure': return doc('procedure');
      case 'pledge': return doc('pledge');
      case 'notice': return doc('notice');
      case 'evidence':
        return html`<step-evidence .code=${me?.bindingCode ?? ''} @step-done=${next(() => this.flow.ack('evidence'))}></step-evidence>`;
      case 'lottery':
        return html`<step-lottery .me=${me} .now=${now} ?drawing=${this.busy} .error=${this.error}
          @draw=${next(async () => { await this.flow.session.draw(); })} @step-done=${next(() => this.flow.ack('lottery'))}></step-lottery>`;
      case 'enter':
        return html`<step-enter .me=${me} .now=${now} ?busy=${this.busy} .error=${this.error}
          @enter=${next(() => this.flow.enter())} @refresh=${next(() => this.reload())}></step-enter>`;
      case 'devices':
        return html`${this.renderResume()}<step-devices .stream=${this.flow.recorder?.cameraStream ?? null} ?busy=${this.busy} .error=${this.error}
          @switch-device=${(e: CustomEvent<DeviceSwitch>) => void this.act(() => this.flow.switchDevices(e.detail))}
          @step-done=${next(() => this.flow.ack('devices'))}></step-devices>`;
      case 'exam':
        return html`<step-exam .me=${me} .now=${now} .questions=${this.questions} .questionState=${this.flow.questions?.state ?? 'loading'}
          .stream=${this.flow.recorder?.cameraStream ?? null} ?needsResume=${!this.flow.recorder?.active} .warning=${this.warning}
          .error=${this.flow.storageFull ? t('exam.storageFull') : this.error}
          .chat=${this.flow.chat} .pendingChat=${this.flow.pendingChat} .presence=${this.flow.presenceKinds()}
          @resume-recording=${next(() => this.flow.resume())} @refresh-questions=${next(() => this.loadQuestions())}
          @chat-send=${(e: CustomEvent<{ text: string }>) => void this.flow.sendChat(e.detail.text)}
          @end-exam=${next(() => this.flow.endEarly())}></step-exam>`;
      case 'upload': {
        const all = this.recordings.length > 0 && this.recordings.every((r) => r.state === 'verified');
        return html`<section class="card" aria-labelledby="end-title"><h1 id="end-title">${t('home.ended')}</h1>
          <p role="status">${!this.flow.stopped ? t('exam.stopping') : all ? t('exam.allUploaded') : t('exam.ended')}</p></section>
          <upload-status .recordings=${this.recordings} .outcomes=${this.flow.outcomes} .helpLine=${help}></upload-status>`;
      }
      case 'missed':
        return html`<section class="card" aria-labelledby="missed-title"><h1 id="missed-title">${t('missed.title')}</h1>
          <p>${t('missed.body', { help })}</p></section>`;
    }
  }

  private renderResume() {
    if (this.flow.recorder?.active) return nothing;
    return html`<div class="error" role="alert">${t('examStep.resumeNeeded')}
      <div class="actions"><button type="button" @click=${() => void this.act(() => this.flow.resume())}>${t('exam.resume')}</button></div></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'candidate-app': CandidateApp }
}
