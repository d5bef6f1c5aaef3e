import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CandidateMe, QuestionList } from '../core/api-schema.js';
import type { ChatMessage, ChatOut } from '../core/event-schema.js';
import { examStage } from '../core/flow.js';
import { pickText } from '../core/localized.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { timeOfDay } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import { OnlineController } from '../ui/online-controller.js';
import '../ui/camera-preview.js';
import '../ui/count-down.js';
import './help-chat.js';
import './phone-status-line.js';
import type { PhoneStatus } from '../core/evidence-phone.js';
import { personalTimes } from '../core/timeline.js';

export type QuestionState = 'ready' | 'loading' | 'waiting' | 'offline' | 'error';

/**
 * R9 the exam: a countdown until the start, then the question by itself; reading, then answering
 * (never early), each with a server-time countdown. Side panel: live camera, who, countdown,
 * 【结束考试】→【确认】, 【刷新题目】, 【求助】.
 * @fires end-exam - after 【确认】
 * @fires refresh-questions
 * @fires resume-recording - after a reload, recording needs a click to start again
 */
@customElement('step-exam')
export class StepExam extends LitElement {
  static override styles = [baseStyles, css`
    .layout { display: grid; grid-template-columns: minmax(0, 1fr) 18rem; gap: 1rem; align-items: start; }
    @media (max-width: 48rem) { .layout { grid-template-columns: 1fr; } }
    /*
     * On a laptop both columns stay on screen and scroll inside themselves: opening 【求助】 and
     * typing never scrolls the question, the countdown or the network state away.
     */
    @media (min-width: 48.01rem) {
      .layout > section, aside { position: sticky; top: 0.5rem; max-height: calc(100vh - 1rem); overflow-y: auto; }
      .pinned { position: sticky; top: 0; z-index: 1; }
    }
    aside .card.pinned { padding: 0.5rem 1rem; margin-bottom: 0.5rem; }
    .pinned p { margin: 0.25rem 0; }
    .question { font-size: 1.25rem; line-height: 1.7; white-space: pre-wrap; line-break: strict; }
    .stage { display: inline-block; background: #ddf4ff; color: #0a3069; border-radius: 999px; padding: 0 0.75em; font-weight: 700; }
    aside .card { padding: 1rem; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 0.2rem 0.75rem; margin: 0.75rem 0; }
    dt { color: #57606a; } dd { margin: 0; font-weight: 600; overflow-wrap: break-word; }
    .live { color: #82071e; font-weight: 700; margin: 0.5rem 0; }
    .live::before { content: '●'; margin-right: 0.35em; }
    .badge { display: inline-block; min-width: 1.4em; border-radius: 999px; background: #cf222e; color: #fff; font-size: 0.85em; text-align: center; }
  `];
  private readonly i18n = new LocaleController(this);
  private readonly net = new OnlineController(this);

  @property({ attribute: false }) me: CandidateMe | null = null;
  @property({ attribute: false }) now: () => number = () => Date.now();
  @property({ attribute: false }) questions: QuestionList | null = null;
  @property() questionState: QuestionState = 'loading';
  @property({ attribute: false }) stream: MediaStream | null = null;
  /** Recording is not running on this page (reopened mid-exam): ask for the click it needs. */
  @property({ type: Boolean }) needsResume = false;
  @property() warning = '';
  @property() error = '';
  @property({ attribute: false }) chat: ChatMessage[] = [];
  /** Presence flags standing now, by class: shown in the side panel until they clear. */
  @property({ attribute: false }) presence: ('cant-see' | 'suspicious')[] = [];
  @property({ attribute: false }) pendingChat: ChatOut[] = [];
  /** A proctor is watching the live view now: the candidate is told, plainly. */
  @property({ type: Boolean }) watched = false;
  /** The evidence phone (R4) as the server last reported it. */
  @property({ attribute: false }) phone: PhoneStatus | null = null;
  @state() private confirming = false;
  @state() private chatOpen = false;
  /** Proctor messages seen with the chat open, and the warning put away. */
  @state() private seenProctor = 0;
  @state() private dismissedWarning = '';
  private ticker: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    // The stage changes by itself at the start and at the answering time.
    this.ticker = setInterval(() => this.requestUpdate(), 500);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
  }

  /** With the chat open, the proctor's messages count as seen. */
  override willUpdate(): void {
    const n = this.chat.filter((m) => m.from === 'proctor').length;
    if (this.chatOpen && this.seenProctor !== n) this.seenProctor = n;
  }

  private fire(name: string): void {
    this.dispatchEvent(new Event(name, { bubbles: true, composed: true }));
  }

  override render() {
    const me = this.me;
    if (!me) return nothing;
    const times = personalTimes(me.exam.times, me.progress);
    const { stage, until } = examStage(times, this.now());
    // The answering deadline, with any extra time a proctor granted (the candidate is told).
    const endAt = times.endAt;
    const extraMin = Math.round(me.progress.extraMs / 60_000);
    const label = stage === 'waiting' ? t('examStep.startsIn') : stage === 'reading' ? t('examStep.reading') : t('examStep.answering');
    const fromProctor = this.chat.filter((m) => m.from === 'proctor');
    const unread = Math.max(0, fromProctor.length - this.seenProctor);
    const warning = fromProctor.filter((m) => m.kind === 'warning').at(-1);
    return html`
      ${warning && warning.id !== this.dismissedWarning ? html`<div class="error" role="alert" data-proctor-warning>
        <strong>${t('examStep.proctorWarning')}</strong> ${warning.text}
        <div class="actions"><button type="button" class="secondary" @click=${() => { this.dismissedWarning = warning.id; }}>${t('examStep.understood')}</button></div></div>` : nothing}
      ${this.needsResume ? html`<div class="error" role="alert">${t('examStep.resumeNeeded')}
        <div class="actions"><button type="button" @click=${() => this.fire('resume-recording')}>${t('exam.resume')}</button></div></div>` : nothing}
      ${this.warning ? html`<div class="warn" role="alert">${this.warning}</div>` : nothing}
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <div class="layout">
        <section class="card" aria-labelledby="q-title">
          ${stage === 'waiting' ? html`
            <h1 id="q-title">${t('examStep.waitTitle')}</h1>
            <p>${t('examStep.waitBody')}</p>
            <count-down .now=${this.now} until=${until} label=${label}></count-down>`
          : html`
            <p class="stage" data-testid="stage">${label}</p>
            <h1 id="q-title">${t('examStep.question')}</h1>
            ${this.renderQuestion()}`}
          <p class="note">${t('examStep.policy')}</p>
        </section>
        <aside aria-label=${t('examStep.panel')}>
          <div class="card pinned">
            ${this.net.online ? nothing : html`<p class="warn" role="status" data-net="offline">${t('examStep.offline')}</p>`}
            <p>${label}</p>
            <count-down .now=${this.now} until=${until} label=${label}></count-down>
          </div>
          <div class="card">
            <camera-preview .stream=${this.stream} label=${t('check.item.camera')} empty=${this.needsResume ? t('examStep.previewPaused') : ''}></camera-preview>
            <dl>
              <dt>${t('examStep.name')}</dt><dd>${me.candidate.name}</dd>
              <dt>${t('login.candidateId')}</dt><dd>${me.candidate.id}</dd>
              <dt>${t('examStep.room')}</dt><dd>${me.candidate.roomName}</dd>
              ${me.lottery ? html`<dt>${t('home.lotteryNumber')}</dt><dd>${me.lottery.number}</dd>` : nothing}
              <dt>${t('examStep.endsAt')}</dt><dd data-ends-at=${endAt}>${timeOfDay(endAt)}${extraMin > 0 ? html`<br /><span class="note">${t('examStep.extraTime', { n: extraMin })}</span>` : nothing}</dd>
            </dl>
            ${this.watched ? html`<p class="live" role="status" data-live>${t('examStep.watchedLive')}</p>` : nothing}
            ${this.presence.map((kind) => html`<p class="warn" role="status" data-presence=${kind}>${t(kind === 'cant-see' ? 'presence.nowCantSee' : 'presence.nowAway')}</p>`)}
            <phone-status-line .phone=${this.phone} .now=${this.now}></phone-status-line>
            <div class="actions">
              <button type="button" class="secondary" @click=${() => this.fire('refresh-questions')}>${t('examStep.refreshQuestions')}</button>
              <button type="button" class="secondary" aria-expanded=${this.chatOpen} @click=${() => { this.chatOpen = !this.chatOpen; }}>${t('examStep.help')}${unread ? html` <span class="badge" aria-label=${t('examStep.unread', { n: unread })}>${unread}</span>` : nothing}</button>
              <button type="button" @click=${() => { this.confirming = true; }}>${t('exam.end')}</button>
            </div>
            ${this.confirming ? html`<div role="alertdialog" aria-labelledby="end-title" class="card">
              <p id="end-title">${t('exam.confirmEndBody')}</p>
              <div class="actions"><button type="button" @click=${() => { this.confirming = false; this.fire('end-exam'); }}>${t('exam.confirmEnd')}</button>
              <button type="button" class="secondary" @click=${() => { this.confirming = false; }}>${t('login.cancel')}</button></div></div>` : nothing}
          </div>
          ${this.chatOpen ? html`<help-chat .messages=${this.chat} .pending=${this.pendingChat} @close=${() => { this.chatOpen = false; }}></help-chat>` : nothing}
        </aside>
      </div>`;
  }

  private renderQuestion() {
    if (this.questions) {
      return this.questions.questions.map((q) => html`<div class="question" data-question=${q.id}>${pickText(q.text, locale())}</div>`);
    }
    const key = this.questionState === 'offline' ? 'examStep.qOffline' : this.questionState === 'error' ? 'examStep.qError' : 'examStep.qLoading';
    return html`<p role="status">${t(key)}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'step-exam': StepExam }
}
