import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { DocumentKind } from '../core/api-schema.js';
import { WARNED_EVENTS, type EventType } from '../core/event-schema.js';
import { visibleSteps, type Step } from '../core/flow.js';
import { pickText } from '../core/localized.js';
import { NotWholeScreenError } from '../media/capture.js';
import { RecorderUnavailableError } from '../media/recorder-worker-client.js';
import { ApiRequestError } from '../net/api-error.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { ActionState } from '../ui/action-state.js';
import { localTime } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import { isStorageFull } from '../storage/recording-store.js';
import { CandidateFlow } from './candidate-flow.js';
import { ChatController } from './chat-controller.js';
import type { EventDetail } from './event-log.js';
import { QuestionsController } from './questions-controller.js';
import { BINDING_POLL_MS, PhoneLinkController, WATCH_POLL_MS } from './phone-link-controller.js';
import { RecordingController } from './recording-controller.js';
import { ServerStateController } from './server-state-controller.js';
import { UploadsController } from './uploads-controller.js';
import { LiveController } from './live-controller.js';
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
import './phone-status-line.js';

/**
 * The candidate mode (`#/`): R1–R10 as one flow. The step shown is a pure function of what the
 * server decided and what this device kept (CandidateFlow.step), so a reload lands on it again.
 * The element renders; its controllers keep time, record, upload, chat and fetch questions.
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
  private readonly action = new ActionState(this);
  @state() private askTakeOver = false;
  @state() private warning = '';
  private warningTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly flow = new CandidateFlow();
  private readonly uploads = new UploadsController(this, () => this.flow.owner());
  private readonly recording = new RecordingController(this, this.flow, (what) => (what === 'chunk' ? this.uploads.kickSoon() : this.uploads.kick()));
  private readonly questions = new QuestionsController(this, this.flow);
  private readonly phone = new PhoneLinkController(this, this.flow);
  private readonly chat = new ChatController(this, this.flow, () => this.uploads.kick());
  private readonly server = new ServerStateController(this, this.flow, () => this.examId, () => this.signedIn(), (err) => {
    this.action.show(err);
  });
  private readonly live = new LiveController(this, {
    flow: this.flow, recording: this.recording, uploads: this.uploads, chat: this.chat, ended: () => void this.server.reload(),
  });

  constructor() {
    super();
    this.uploads.onPass(() => void this.chat.refreshPending());
    this.flow.events.onLogged((type, detail) => {
      this.warn(type, detail);
      this.uploads.kick();
    });
  }

  /** After each read of the server's state: the controllers follow the signed-in candidate. */
  private async signedIn(): Promise<void> {
    this.recording.sync();
    await this.uploads.refresh();
  }

  private warn(type: EventType, detail?: EventDetail): void {
    if (this.flow.step() !== 'exam') return;
    const presence = type === 'face-flag' && detail?.state === 'raised';
    if (!presence && !WARNED_EVENTS.has(type)) return;
    // "Can't see" asks to fix the camera; "suspicious" asks to stay in view — never an accusation.
    this.warning = presence ? t(detail.kind === 'cant-see' ? 'presence.cant-see' : 'presence.suspicious') : t(`warn.${type}` as Parameters<typeof t>[0]);
    clearTimeout(this.warningTimer);
    this.warningTimer = setTimeout(() => { this.warning = ''; }, 10_000);
  }

  /** Runs a step action with the busy flag; errors become the translated message. */
  private async act(fn: () => Promise<void>): Promise<void> {
    const err = await this.action.run(fn, (e) => (e instanceof NotWholeScreenError ? t('exam.notWholeScreen')
      : e instanceof RecorderUnavailableError ? t('exam.recorderUnavailable')
      : e instanceof DOMException ? t('exam.captureFailed', { detail: e.name })
      : isStorageFull(e) ? t('exam.storageFull') : null));
    if (err instanceof ApiRequestError && (err.code === 'entry_closed' || err.code === 'lottery_required')) await this.server.reload();
  }

  private async onLogin(e: CustomEvent<LoginSubmit>): Promise<void> {
    await this.action.run(async () => {
      await this.flow.session.login({ examId: this.examId, ...e.detail });
      this.askTakeOver = false;
      this.server.offlineView = false;
      await this.flow.loadFlow();
      // Face match compares only a frame the face gate accepted (kept in memory, this page only).
      this.flow.identity.capture = e.detail.faceCheck === 'passed' ? e.detail.capture : null;
      // The login frame is evidence: it goes through the outbox (kept until the server has it).
      if (e.detail.capture) await this.flow.events.capture(e.detail.capture, e.detail.faceCheck);
      await this.signedIn();
      this.uploads.kick();
    }, (err) => {
      this.askTakeOver = err instanceof ApiRequestError && err.code === 'already_logged_in';
      return this.askTakeOver ? '' : null;
    });
  }

  private async logout(): Promise<void> {
    await this.flow.session.logout();
    this.action.clear();
    await this.server.reload();
  }

  private shownStep: Step | null = null;

  /** A new step takes the focus to its heading, so keyboard and screen-reader users start there. */
  override updated(): void {
    const step = this.server.loading ? null : this.flow.step();
    // The evidence phone's status is read while a screen shows it (R4 step, exam, upload).
    const shown = this.flow.me !== null && (step === 'evidence' || step === 'exam' || step === 'upload');
    this.phone.watch(!shown ? 0 : step === 'evidence' ? BINDING_POLL_MS : WATCH_POLL_MS);
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
    if (this.server.loading) return html`<p role="status">${t('app.loading')}</p>`;
    const step = this.flow.step();
    // Counted from the exam's settings, known before login: the total never changes mid-flow, so
    // until those settings have been read the step is named without a count (a guess could change).
    const faceMatch = this.flow.me?.face.match.enabled ?? this.server.exam?.faceMatch;
    const steps = visibleSteps(faceMatch ?? true);
    const index = steps.findIndex((s) => s.step === step);
    const name = index >= 0 ? t(`flow.${step}` as Parameters<typeof t>[0]) : '';
    const recordings = this.uploads.recordings;
    return html`<div class=${step === 'exam' ? '' : 'narrow'}>
      ${index >= 0 ? html`<p class="note steps" data-step=${step}>${faceMatch === undefined ? name : t('flow.stepOf', { n: index + 1, total: steps.length, name })}</p>` : nothing}
      ${this.server.offlineView && this.flow.me ? html`<p class="note">${t('home.savedAt', { time: localTime(this.flow.session.snapshot?.savedAt ?? 0) })}</p>` : nothing}
      <div class="step">${this.renderStep(step)}</div>
      ${step === 'check' || step === 'login' ? html`<upload-status .recordings=${recordings.filter((r) => r.state !== 'verified')} .outcomes=${this.uploads.outcomes}></upload-status>` : nothing}
      ${this.flow.me && !['devices', 'exam'].includes(step) ? html`<div class="actions"><button type="button" class="secondary" @click=${this.logout}>${t(step === 'upload' ? 'home.logoutUploading' : 'home.logout')}</button></div>` : nothing}
    </div>`;
  }

  private renderStep(step: Step) {
    const me = this.flow.me;
    const now = () => this.flow.now();
    const exam = this.server.exam;
    const help = me ? pickText(me.exam.helpLine, locale()) : exam ? pickText(exam.helpLine, locale()) : '';
    const next = (fn: () => Promise<void>) => () => void this.act(fn);
    const doc = (kind: DocumentKind) => html`<step-document .kind=${kind} .text=${me ? pickText(me.documents[kind], locale()) : ''} ?busy=${this.action.busy} .error=${this.action.error}
      @step-done=${next(() => this.flow.accept(kind))}></step-document>`;
    switch (step) {
      case 'check': {
        const times = exam?.times;
        return html`<step-system-check .examSeconds=${times ? (times.endAt - times.entryOpensAt) / 1000 : 1800}
          @step-done=${next(() => this.flow.passCheck())}></step-system-check>`;
      }
      case 'login':
        return html`<candidate-login .examTitle=${exam ? pickText(exam.title, locale()) : ''} .helpLine=${help}
          .error=${this.action.error} ?busy=${this.action.busy} ?askTakeOver=${this.askTakeOver} @login-submit=${this.onLogin}></candidate-login>`;
      case 'identity':
        return html`<step-identity .match=${me?.face.match ?? null} ?hasCapture=${this.flow.identity.capture !== null} ?busy=${this.action.busy}
          .error=${this.action.error} .similarity=${this.flow.identity.similarity}
          @consent=${(e: CustomEvent<{ given: boolean }>) => void this.act(() => this.flow.answerIdentity(e.detail.given))}
          @compare=${(e: CustomEvent<{ capture?: Blob | null }>) => void this.act(async () => {
            await this.flow.identity.compare(e.detail.capture === undefined ? this.flow.identity.capture : e.detail.capture);
          })}
          @step-done=${next(() => this.flow.ack('identity'))}></step-identity>`;
      case 'procedure': return doc('procedure');
      case 'pledge': return doc('pledge');
      case 'notice': return doc('notice');
      case 'evidence':
        return html`<step-evidence .code=${this.phone.code} .phone=${this.phone.phone} ?failed=${this.phone.failed} .now=${now}
          @new-code=${() => void this.phone.newCode()} @step-done=${next(() => this.flow.ack('evidence'))}></step-evidence>`;
      case 'lottery':
        return html`<step-lottery .me=${me} .now=${now} ?drawing=${this.action.busy} .error=${this.action.error}
          @draw=${next(async () => { await this.flow.session.draw(); })} @step-done=${next(() => this.flow.ack('lottery'))}></step-lottery>`;
      case 'enter':
        return html`<step-enter .me=${me} .now=${now} ?busy=${this.action.busy} .error=${this.action.error}
          @enter=${next(async () => { await this.recording.enter(); await this.questions.fetchPackage(); })} @refresh=${next(async () => { await this.server.reload(); })}></step-enter>`;
      case 'devices':
        return html`${this.renderResume()}<step-devices .stream=${this.recording.cameraStream} ?busy=${this.action.busy} .error=${this.action.error}
          @switch-device=${(e: CustomEvent<DeviceSwitch>) => void this.act(() => this.recording.switchDevices(e.detail))}
          @step-done=${next(() => this.flow.ack('devices'))}></step-devices>`;
      case 'exam':
        return html`<step-exam .me=${me} .now=${now} .questions=${this.questions.list} .questionState=${this.questions.state}
          .stream=${this.recording.cameraStream} ?needsResume=${!this.recording.active} .warning=${this.warning}
          .error=${this.recording.storageFull ? t('exam.storageFull') : this.action.error}
          .chat=${this.chat.messages} .pendingChat=${this.chat.pending} .presence=${this.recording.presenceKinds()} ?watched=${this.live.watched} .phone=${this.phone.phone}
          @resume-recording=${next(() => this.recording.resume())} @refresh-questions=${next(() => this.questions.load())}
          @chat-send=${(e: CustomEvent<{ text: string }>) => void this.chat.send(e.detail.text)}
          @end-exam=${next(() => this.flow.endEarly())}></step-exam>`;
      case 'upload': {
        const recordings = this.uploads.recordings;
        const all = recordings.length > 0 && recordings.every((r) => r.state === 'verified');
        return html`<section class="card" aria-labelledby="end-title"><h1 id="end-title">${t('home.ended')}</h1>
          ${me?.progress.endedBy === 'proctor' ? html`<p class="error" role="alert">${t('exam.endedByProctor')}</p>` : nothing}
          <p role="status">${!this.recording.stopped ? t('exam.stopping') : all ? t('exam.allUploaded') : t('exam.ended')}</p></section>
          <upload-status .recordings=${recordings} .outcomes=${this.uploads.outcomes} .helpLine=${help}></upload-status>
          <section class="card" aria-labelledby="phone-title"><h2 id="phone-title">${t('evidence.phoneTitle')}</h2>
          <phone-status-line .phone=${this.phone.phone} .now=${now}></phone-status-line></section>`;
      }
      case 'missed':
        return html`<section class="card" aria-labelledby="missed-title"><h1 id="missed-title">${t('missed.title')}</h1>
          <p>${t('missed.body', { help })}</p></section>`;
    }
  }

  private renderResume() {
    if (this.recording.active) return nothing;
    return html`<div class="error" role="alert">${t('examStep.resumeNeeded')}
      <div class="actions"><button type="button" @click=${() => void this.act(() => this.recording.resume())}>${t('exam.resume')}</button></div></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'candidate-app': CandidateApp }
}
