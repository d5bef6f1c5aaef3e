import { failedNow, type UploadOutcome } from './uploader.js';
import { OUTBOX_KEY, UPLOAD_SYNC_TAG } from './sync-all.js';
import { reachability } from './reachability.js';
import { LIVE_BATCH_MS } from '../core/upload-frames.js';

/**
 * The page's uploader loop: live upload while online (kicked after every stored chunk), catch-up
 * on `online` and on becoming visible, a timer, and exponential backoff after failures. When
 * the page cannot finish, Background Sync hands the work to the service worker.
 */
export interface PassResult { outcomes: Map<string, UploadOutcome>; requests: number; waitMs: number; handOffMs?: number; dbCalls?: number; dbMs?: number; workerMs?: number }

const MIN_BACKOFF_MS = 2_000;
/** One User Timing entry per pass (benchmarks read it). */
export const UPLOAD_PASS_MEASURE = 'invigil:upload-pass';
const MAX_BACKOFF_MS = 60_000;
/** Another context was sending the outbox when this pass came to it (src/net/sync-all.ts): look again this soon. */
export const BUSY_RECHECK_MS = 3_000;

export class UploadScheduler {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private batchTimer: ReturnType<typeof setTimeout> | undefined;
  private backoff = MIN_BACKOFF_MS;
  private stopped = false;
  /** The pass in progress was started by the retry timer (only those grow the backoff). */
  private byTimer = false;
  /** Monotonic time before which no pass starts (the server asked us to wait). */
  private notBefore = 0;
  /** The next pass reads the whole store (the link returned, the page is back in view, or a timer). */
  private full = true;
  private readonly kickNow = () => this.kick(true);
  private readonly onReachable = () => {
    if (reachability.reachable) this.kick(true);
  };
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') this.kick(true);
  };

  /**
   * `runPass` runs one upload pass (in the recorder worker: off the page's main thread); `full`
   * asks it to read the whole store, not only what it knows changed.
   */
  constructor(
    private readonly runPass: (full: boolean) => Promise<PassResult>,
    private readonly onOutcome: (o: Map<string, UploadOutcome>) => void = () => {},
    private readonly liveBatchMs = LIVE_BATCH_MS,
  ) {}

  start(): void {
    window.addEventListener('online', this.kickNow);
    reachability.addEventListener('change', this.onReachable);
    document.addEventListener('visibilitychange', this.onVisible);
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.batchTimer);
    window.removeEventListener('online', this.kickNow);
    reachability.removeEventListener('change', this.onReachable);
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  /**
   * A chunk was stored: a pass within `liveBatchMs` sends it with those stored meanwhile (any
   * pass before then takes it along). Events, chat, the end of a recording: `kick`, now.
   */
  kickSoon(): void {
    if (this.stopped || this.batchTimer !== undefined) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      this.kick();
    }, this.liveBatchMs);
  }

  /** Runs a pass now, or right after the one in progress (not before the server's Retry-After). */
  kick(full = false): void {
    this.full ||= full;
    if (this.stopped) return;
    if (performance.now() < this.notBefore) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      this.byTimer = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pass(): Promise<void> {
    clearTimeout(this.timer);
    // This pass reads what is stored now: the chunks that were waiting go with it.
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    let outcomes = new Map<string, UploadOutcome>();
    const started = performance.now();
    let detail: Omit<PassResult, 'outcomes'> = { requests: 0, waitMs: 0 };
    const full = this.full;
    this.full = false;
    try {
      const r = await this.runPass(full);
      ({ outcomes, ...detail } = r);
    } catch (err) {
      console.warn('upload pass failed', err);
    }
    performance.measure(UPLOAD_PASS_MEASURE, { start: started, end: performance.now(), detail });
    this.onOutcome(outcomes);
    const failed = [...outcomes.values()].some(failedNow);
    const pending = [...outcomes.values()].some((o) => o.state !== 'verified' && o.state !== 'problem');
    // Passes kicked by every stored chunk fail too while the server is down: only the timer's
    // own retries grow the wait, so a short outage is not followed by a minute of silence.
    if (!failed) this.backoff = MIN_BACKOFF_MS;
    else if (this.byTimer) this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    if (failed) await registerBackgroundSync();
    if (pending && !this.stopped) {
      // The server may say when to come back (429/503 Retry-After): never sooner than that.
      const asked = Math.max(0, ...[...outcomes.values()].map((o) => ('retryAfterMs' in o ? o.retryAfterMs ?? 0 : 0)));
      this.notBefore = performance.now() + asked;
      // Another context at the outbox (the service worker, a logout's flush) may fail where this
      // one would not (a link that lets some requests through): look again once it has had its
      // turn. (A recording another context uploads — for a whole backlog, say — waits the usual 15 s.)
      const busy = outcomes.get(OUTBOX_KEY)?.state === 'busy';
      const wait = Math.max(asked, failed ? this.backoff * (0.75 + Math.random() / 2) : busy ? BUSY_RECHECK_MS : 15_000);
      this.timer = setTimeout(() => {
        this.byTimer = true;
        this.kick(true);
      }, wait);
    }
  }
}

interface SyncManager { register(tag: string): Promise<void> }

async function registerBackgroundSync(): Promise<void> {
  try {
    const reg: (ServiceWorkerRegistration & { sync?: SyncManager }) | undefined = await navigator.serviceWorker.getRegistration();
    await reg?.sync?.register(UPLOAD_SYNC_TAG);
  } catch {
    // No Background Sync here (or not allowed): the page's own timer keeps trying.
  }
}
