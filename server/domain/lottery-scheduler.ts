import type { ExamStore } from './exam-store.js';
import type { Lottery } from './lottery.js';
import { soleLeadership, type Leadership } from '../shared/leader.js';

/** Looks again at least this often, so exams imported by the CLI in another process are seen. */
const MAX_WAIT_MS = 30_000;

/**
 * Assigns numbers to everyone without one once an exam's lottery closes (R5). Holds no state of
 * its own: every sweep reads the exams, so a restart after a missed deadline catches up at once.
 */
export class LotteryScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly exams: ExamStore,
    private readonly lottery: Lottery,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
    /** With several server processes, only the leader assigns (the others look again meanwhile). */
    private readonly leader: Leadership = soleLeadership(),
  ) {}

  start(): Promise<void> {
    this.stopped = false;
    return this.poke();
  }

  /** Sweeps now and sets the timer for the next deadline. */
  poke(): Promise<void> {
    this.running = this.running.then(() => this.sweep()).catch((err: unknown) => this.log(`lottery sweep failed: ${String(err)}`));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private isActive(): boolean {
    return !this.stopped;
  }

  private async sweep(): Promise<void> {
    if (!this.isActive()) return;
    const now = this.now();
    let next = now + MAX_WAIT_MS;
    for (const id of this.leader.leading ? await this.exams.ids() : []) {
      const exam = await this.exams.get(id);
      if (!exam || now >= exam.times.retentionEndsAt) continue;
      if (now >= exam.times.lotteryClosesAt) {
        const n = await this.lottery.assignMissing(id);
        if (n > 0) this.log(`lottery: assigned ${n} number(s) automatically in exam ${id}`);
      } else {
        next = Math.min(next, exam.times.lotteryClosesAt);
      }
    }
    clearTimeout(this.timer);
    // stop() may have been called while the sweep awaited.
    if (this.isActive()) this.timer = setTimeout(() => void this.poke(), Math.max(0, next - this.now()));
  }
}
