import type { Recordings, ScrubReport } from './recordings.js';

/** Stored bytes re-read per second by default (SCRUB_BYTES_PER_SECOND; 0 turns the scrub off). */
export const DEFAULT_SCRUB_BYTES_PER_SECOND = 16 * 1024 * 1024;
const TICK_MS = 1_000;

/**
 * Re-reads the stored chunks in the background, at a bounded rate: what completion used to do for
 * every recording at once (800 candidates ending together re-read ≈ 45 GB at that moment), spread
 * over the exam instead and never more than `bytesPerSecond`. With several server processes only
 * the leader scrubs (two would only read twice: the state is the data itself).
 */
export class Scrubber {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(
    private readonly recordings: Recordings,
    private readonly bytesPerSecond: number,
    private readonly log: (line: string) => void,
  ) {}

  start(leading: () => boolean = () => true): void {
    if (this.bytesPerSecond <= 0) return;
    this.timer = setInterval(() => {
      if (leading()) void this.step();
    }, TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One second's worth (skipped while the last step still runs: a slow store slows the scrub). */
  async step(): Promise<ScrubReport | null> {
    if (this.running) return null;
    this.running = true;
    try {
      const report = await this.recordings.scrub(this.bytesPerSecond * (TICK_MS / 1000));
      for (const d of report.damaged) {
        this.log(`scrub: exam ${d.exam} candidate ${d.candidate} recording ${d.recordingId} chunk ${d.segment}/${d.seq} damaged in the store — ${d.verified ? 'reported on the recording (verified already)' : 'dropped; the device is asked for it again'}`);
      }
      return report;
    } catch (err) {
      this.log(`scrub: failed: ${String(err)}`);
      return null;
    } finally {
      this.running = false;
    }
  }
}

/** SCRUB_BYTES_PER_SECOND from the environment: a whole number of bytes, 0 to turn the scrub off. */
export function scrubRate(env: NodeJS.ProcessEnv): number {
  const raw = env.SCRUB_BYTES_PER_SECOND;
  if (raw === undefined || raw === '') return DEFAULT_SCRUB_BYTES_PER_SECOND;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error('SCRUB_BYTES_PER_SECOND must be a whole number of bytes per second (0 turns the scrub off)');
  return n;
}
