import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PublicExam } from '../core/api-schema.js';
import { timelineAt } from '../core/timeline.js';
import { reachability } from '../net/reachability.js';
import type { CandidateFlow } from './candidate-flow.js';

/**
 * The candidate's view of the server's state over time: restored from the device at start (also
 * offline), read again when the link returns and just after each timeline boundary (lottery
 * deadline, entry window), and a one-second tick so time-driven changes (the start, the end)
 * show without any input. Deadlines come from the server clock; timers only wake the page.
 */
export class ServerStateController implements ReactiveController {
  loading = true;
  /** The state shown is the one stored on the device (the server could not be reached). */
  offlineView = false;
  /** Before a login: the exam the link names (for its title and help line). */
  exam: PublicExam | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private boundary: ReturnType<typeof setTimeout> | undefined;
  /** A read for the link's return in progress; another return meanwhile asks again only if it fails. */
  private linkBack: { again: boolean } | null = null;
  private readonly onOnline = () => this.onLinkBack();
  /** Our server answers again (the browser may not have said it was offline). */
  private readonly onReachable = () => {
    if (reachability.reachable) this.onLinkBack();
  };

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly flow: CandidateFlow,
    private readonly examId: () => string | null,
    /** After every read from the server (the controllers pick up the signed-in candidate). */
    private readonly loaded: () => Promise<void>,
    private readonly failed: (err: unknown) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('online', this.onOnline);
    reachability.addEventListener('change', this.onReachable);
    void this.start();
  }

  hostDisconnected(): void {
    window.removeEventListener('online', this.onOnline);
    reachability.removeEventListener('change', this.onReachable);
    clearInterval(this.ticker);
    clearTimeout(this.boundary);
  }

  private async start(): Promise<void> {
    await this.flow.restore();
    this.offlineView = this.flow.me !== null;
    this.loading = this.flow.me === null && this.flow.session.session !== null;
    await this.loaded();
    await this.reload();
    this.loading = false;
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.host.requestUpdate(), 1000);
    this.host.requestUpdate();
  }

  /**
   * The link is back — the browser's `online` and our own probe's answer usually both say so, a
   * moment apart: one read, and a second only if the first could not reach the server.
   */
  private onLinkBack(): void {
    if (this.linkBack) {
      this.linkBack.again = true;
      return;
    }
    const pending = { again: false };
    this.linkBack = pending;
    void (async () => {
      let reached = await this.reload();
      while (!reached && pending.again) {
        pending.again = false;
        reached = await this.reload();
      }
    })().finally(() => {
      this.linkBack = null;
    });
  }

  /**
   * Re-reads state from the server when it can; the stored state stands when it cannot. Resolves
   * whether the server answered.
   */
  async reload(): Promise<boolean> {
    const reached = await this.flow.session.clock.syncNow();
    if (this.flow.session.session) {
      try {
        const { fresh } = await this.flow.session.load();
        this.offlineView = !fresh;
        await this.flow.loadFlow();
        this.scheduleBoundary();
      } catch (err) {
        this.failed(err);
      }
    } else {
      const wanted = this.examId();
      this.exam = await this.flow.session.publicExams()
        .then((exams) => exams.find((e) => e.id === wanted) ?? exams[0] ?? null).catch(() => this.exam);
    }
    await this.loaded();
    this.host.requestUpdate();
    return reached;
  }

  /** Reads the server again just after the next boundary (lottery deadline, entry window). */
  private scheduleBoundary(): void {
    clearTimeout(this.boundary);
    const me = this.flow.me;
    if (!me) return;
    const next = timelineAt(me.exam.times, this.flow.now(), me.progress).nextChangeAt;
    const wait = next === null ? null : next - this.flow.now() + 1_500;
    if (wait !== null && wait < 2 ** 31 - 1) this.boundary = setTimeout(() => void this.reload(), wait);
  }
}
