import type { Db } from '../db/open.js';

/** How often what the devices reported is written down (a crash loses at most this much of it). */
export const REPORTED_FLUSH_MS = 30_000;

/**
 * How many bytes each device says it has recorded, per recording — the denominator of a
 * reviewer's completeness (bytes verified ÷ bytes recorded). Heartbeats and phone reports bring
 * it every few seconds; it is kept here and written to the recording's row at most every 30 s,
 * in one transaction for every recording that grew (a write per heartbeat would be the server's
 * heaviest load at 800 candidates). So a restart, or a device that never reports again, leaves
 * the last figure written, not "unknown" — exactly the recordings a reviewer must look at.
 * A figure only grows: a late, smaller report never lowers it.
 */
export class ReportedBytes {
  /** Recording id → its owner and the largest figure reported since the last write. */
  private readonly pending = new Map<string, { exam: string; candidate: string; bytes: number }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db, private readonly log: (line: string) => void = () => undefined) {}

  /** A device's report of its recordings (only the candidate's own recordings are ever written). */
  note(exam: string, candidate: string, recordings: readonly { id: string; bytes: number }[]): void {
    for (const r of recordings) {
      const had = this.pending.get(r.id);
      if (!had || had.bytes < r.bytes) this.pending.set(r.id, { exam, candidate, bytes: r.bytes });
    }
  }

  /** The figure reported here and not yet written (a fresher one than the row's), if any. */
  unwritten(id: string): number | undefined {
    return this.pending.get(id)?.bytes;
  }

  /** Writes what grew since the last write (one transaction); reports arriving meanwhile wait for the next. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), REPORTED_FLUSH_MS);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left (a server that stops keeps the last reports). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const [id, r] of batch) {
          await trx.updateTable('recordings').set({ reported_bytes: r.bytes })
            .where('id', '=', id).where('exam_id', '=', r.exam).where('candidate_id', '=', r.candidate)
            .where((eb) => eb.or([eb('reported_bytes', 'is', null), eb('reported_bytes', '<', r.bytes)]))
            .execute();
        }
      });
    } catch (err) {
      // Kept for the next write (unless a newer report came meanwhile).
      for (const [id, r] of batch) if (!this.pending.has(id)) this.pending.set(id, r);
      this.log(`reported bytes: not written (${(err as Error).message}); trying again in ${REPORTED_FLUSH_MS / 1000} s`);
    }
  }
}
