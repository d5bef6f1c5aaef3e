import type { DocumentKind, QuestionList } from '../core/api-schema.js';
import { Acceptances, Progress } from '../core/api-schema.js';
import type { ChatMessage, ChatOut, EventType } from '../core/event-schema.js';
import { flowStep, identityPending, NO_ACKS, type FlowFacts, type LocalAcks, type Step } from '../core/flow.js';
import { FLAG_CLASS, type FlagClass } from '../core/presence.js';
import type { StoredFlow } from '../core/stored-schema.js';
import { deviceUploadDeps } from '../net/sync-all.js';
import { fetchChat } from '../net/outbox-sender.js';
import { UploadScheduler } from '../net/upload-scheduler.js';
import type { UploadOutcome } from '../net/uploader.js';
import { kvGet, kvSet } from '../storage/kv.js';
import { isStorageFull } from '../storage/recording-store.js';
import { enqueue, pendingChat } from '../storage/outbox.js';
import { CandidateSession } from './candidate-session.js';
import { ExamRecorder, type DeviceIds } from './exam-recorder.js';
import { IdentityCheck } from './identity-check.js';
import { IntegrityMonitor } from './integrity-monitor.js';
import { PresenceMonitor } from './presence-monitor.js';

type EventDetail = Record<string, string | number | boolean>;
import { QuestionSource } from './question-source.js';

/** A chunk written during a full disk (a small one may fit) must not hide the warning at once. */
const STORAGE_WARNING_MS = 30_000;
const newId = () => crypto.randomUUID().replace(/-/g, '');

/**
 * The candidate's flow without UI: what the device keeps per exam (local acknowledgements, early
 * end, chosen devices), the server calls of each step, the recorder, the questions, integrity
 * signals and the outbox. The step shown is `flowStep` of these facts (src/core/flow.ts).
 */
export class CandidateFlow {
  readonly session = new CandidateSession();
  readonly identity = new IdentityCheck(this.session);
  private flow: StoredFlow | null = null;
  checkPassed = false;
  recorder: ExamRecorder | null = null;
  questions: QuestionSource | null = null;
  outcomes = new Map<string, UploadOutcome>();
  chat: ChatMessage[] = [];
  /** The device ran out of storage; cleared once chunks are stored again, shown at least 30 s. */
  storageFull = false;
  private storageFullAt = 0;
  pendingChat: ChatOut[] = [];
  private integrity: IntegrityMonitor | null = null;
  private presence: PresenceMonitor | null = null;
  private ending: Promise<void> | null = null;
  /** The recordings were stopped for good on this page (every chunk stored). */
  stopped = false;
  readonly scheduler: UploadScheduler;

  constructor(private readonly changed: () => void, private readonly onWarning: (type: EventType, detail?: EventDetail) => void = () => {}) {
    this.scheduler = new UploadScheduler(deviceUploadDeps, (o) => {
      this.outcomes = o;
      const me = this.me;
      // Chat typed offline leaves the "not sent yet" list once the outbox delivered it.
      void (me ? pendingChat(me.exam.id, me.candidate.id) : Promise.resolve([])).then((p) => { this.pendingChat = p; this.changed(); });
    });
  }

  get me() {
    return this.session.snapshot?.me ?? null;
  }

  now(): number {
    return this.session.clock.now();
  }

  async restore(): Promise<void> {
    await this.session.restore();
    this.checkPassed = (await kvGet('systemCheck')) !== undefined;
    await this.loadFlow();
  }

  /** The device's flow record for the logged-in candidate (a new one for another exam/candidate). */
  async loadFlow(): Promise<void> {
    const me = this.me;
    if (!me) return;
    const stored = await kvGet('flow');
    this.flow = stored && stored.examId === me.exam.id && stored.candidateId === me.candidate.id
      ? stored : { examId: me.exam.id, candidateId: me.candidate.id, acks: { ...NO_ACKS, check: this.checkPassed }, localEndedAt: null };
    if (this.recorder?.owner !== `${me.exam.id}/${me.candidate.id}`) {
      this.recorder = new ExamRecorder(me, {
        now: () => this.now(),
        onChunk: () => {
          if (this.storageFull && performance.now() - this.storageFullAt > STORAGE_WARNING_MS) {
            this.storageFull = false;
            this.changed();
          }
          this.scheduler.kick();
        },
        onError: (err) => {
          if (!isStorageFull(err)) return;
          this.storageFullAt = performance.now();
          if (this.storageFull) return;
          this.storageFull = true;
          void this.log('storage-full');
          this.changed();
        },
        onTrack: (kind, what) => void this.log(what === 'ended' ? 'track-ended' : 'track-muted', { kind }),
      });
      this.questions = new QuestionSource(this.session.api, me.exam.id);
    }
  }

  facts(): FlowFacts {
    const me = this.me;
    const acks = { ...NO_ACKS, ...this.flow?.acks, check: this.checkPassed || (this.flow?.acks.check ?? false) };
    return {
      loggedIn: me !== null,
      identityPending: me !== null && identityPending(me.face.match, acks.identity),
      acks,
      accepted: me?.accepted ?? { procedure: null, pledge: null, notice: null },
      hasLotteryNumber: me?.lottery != null,
      progress: me?.progress ?? { enteredAt: null, endedAt: null },
      localEndedAt: this.flow?.localEndedAt ?? null,
    };
  }

  step(): Step {
    const me = this.me;
    if (!me) return this.checkPassed ? 'login' : 'check';
    return flowStep(this.facts(), me.exam.times, this.now());
  }

  async passCheck(): Promise<void> {
    this.checkPassed = true;
    await kvSet('systemCheck', { passedAt: this.now() });
  }

  async ack(key: keyof LocalAcks): Promise<void> {
    if (!this.flow) return;
    this.flow = { ...this.flow, acks: { ...this.flow.acks, [key]: true } };
    await kvSet('flow', this.flow);
  }

  /** R2 face match: the consent answer; with consent and the login capture here, the comparison at once. */
  async answerIdentity(given: boolean): Promise<void> {
    await this.identity.answer(given);
    if (given && this.identity.capture) await this.identity.compare(this.identity.capture);
  }

  async accept(document: DocumentKind): Promise<void> {
    const accepted = await this.session.api.authed('POST', '/api/candidate/accept', Acceptances, { document });
    await this.session.patchMe({ accepted });
  }

  /**
   * 【进入考试】: camera, microphone and the whole screen are granted first (the click is needed
   * for that), then the server decides; recording starts only on its yes.
   */
  async enter(): Promise<void> {
    const rec = this.recorder;
    if (!rec) return;
    await rec.start(this.devices(), async () => {
      const progress = await this.session.api.authed('POST', '/api/candidate/enter', Progress);
      await this.session.patchMe({ progress });
    });
    await this.log('entered');
    this.startMonitoring();
    // The sealed questions now, while the link is known to work.
    await this.questions?.fetchPackage().catch(() => undefined);
  }

  /** Reopened mid-exam: the recording continues as a new segment (needs a click for the screen). */
  async resume(): Promise<void> {
    await this.recorder?.start(this.devices());
    await this.log('recording-resumed');
    this.startMonitoring();
  }

  /** Classes of the presence flags raised now: what the exam view keeps showing while they last. */
  presenceKinds(): FlagClass[] {
    const kinds = new Set<FlagClass>();
    for (const flag of this.presence?.active ?? []) kinds.add(FLAG_CLASS[flag]);
    return [...kinds];
  }

  /** Integrity signals and presence monitoring, from entry (or a reload mid-exam) to the end. */
  startMonitoring(): void {
    const stream = this.recorder?.cameraStream;
    const me = this.me;
    if (stream && me) {
      this.presence ??= new PresenceMonitor({
        now: () => this.now(),
        fps: me.face.monitorFps,
        onChange: (c) => {
          void this.log('face-flag', { flag: c.flag, kind: c.kind, state: c.state }, c.at);
          this.changed();
        },
        onSummary: (pct, ms) => void this.log('face-summary', { visiblePct: Math.round(pct * 10) / 10, monitoredS: Math.round(ms / 1000) }),
      });
      this.presence.watch(stream);
    }
    if (this.integrity) return;
    this.integrity = new IntegrityMonitor((type, detail) => void this.log(type, detail));
    this.integrity.start();
  }

  private devices(): DeviceIds {
    return { ...(this.flow?.camera ? { camera: this.flow.camera } : {}), ...(this.flow?.microphone ? { microphone: this.flow.microphone } : {}) };
  }

  async switchDevices(change: DeviceIds): Promise<void> {
    await this.recorder?.switchDevices(change);
    const stream = this.recorder?.cameraStream;
    if (stream) this.presence?.watch(stream);
    if (this.flow) {
      this.flow = { ...this.flow, ...change };
      await kvSet('flow', this.flow);
    }
    await this.log('device-switched', { ...change });
  }

  async questionsAt(now: number): Promise<QuestionList | null> {
    return (await this.questions?.update(now)) ?? null;
  }

  /** 【结束考试】【确认】: counts on this device at once; the server hears of it when it can. */
  async endEarly(): Promise<void> {
    if (!this.flow) return;
    const at = this.now();
    this.flow = { ...this.flow, localEndedAt: at };
    await kvSet('flow', this.flow);
    await this.log('ended-early');
    await this.finish();
  }

  /** Stops the recordings for good (at the end or an early end), once. */
  finish(): Promise<void> {
    this.ending ??= (async () => {
      this.integrity?.stop();
      this.presence?.stop();
      await this.recorder?.end();
      this.stopped = true;
      this.scheduler.kick();
      this.changed();
    })();
    return this.ending;
  }

  /** Keeps an event for the server (outbox), stamped with server time (now, or when it began). */
  async log(type: EventType, detail?: EventDetail, at = this.now()): Promise<void> {
    const me = this.me;
    if (!me) return;
    await enqueue({ kind: 'event', examId: me.exam.id, candidateId: me.candidate.id, event: { id: newId(), type, at: Math.round(at), ...(detail ? { detail } : {}) } });
    this.onWarning(type, detail);
    this.scheduler.kick();
  }

  async sendChat(text: string): Promise<void> {
    const me = this.me;
    if (!me) return;
    await enqueue({ kind: 'chat', examId: me.exam.id, candidateId: me.candidate.id, message: { id: newId(), text, at: Math.round(this.now()) } });
    await this.refreshChat();
    this.scheduler.kick();
  }

  async refreshChat(): Promise<void> {
    const me = this.me;
    if (!me) return;
    this.pendingChat = await pendingChat(me.exam.id, me.candidate.id);
    this.chat = await fetchChat(deviceUploadDeps).catch(() => this.chat);
    this.changed();
  }
}
