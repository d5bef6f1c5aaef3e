import { PRESENCE, PresenceTracker, othersOf, type Flag, type FlagChange, type PresenceSample } from '../core/presence.js';
import { detectFaces } from '../media/face-worker-client.js';

const SUMMARY_EVERY_MS = 60_000;

export interface PresenceMonitorOptions {
  /** Server time. */
  now: () => number;
  /** Frames analysed per second (exam configuration, ≈ 2). */
  fps: number;
  onChange: (change: FlagChange) => void;
  /** Every minute and at the end: the running share of time with the face in view. */
  onSummary: (visiblePct: number, monitoredMs: number) => void;
}

/**
 * Presence monitoring in the exam (R9): the camera's frames go to the face worker a couple of
 * times a second; the tracker turns them into debounced flags. The page only hands frames over.
 */
export class PresenceMonitor {
  private readonly tracker = new PresenceTracker();
  private readonly video = document.createElement('video');
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSummary = 0;
  private running = false;
  /** The last wide check's other faces and when it ran (page time). */
  private wide: { faces: NonNullable<PresenceSample['others']>; at: number } | null = null;

  constructor(private readonly opts: PresenceMonitorOptions) {
    this.video.muted = true;
    this.video.playsInline = true;
  }

  /** Starts, or goes on with another camera stream (after a device switch or a reload). */
  watch(stream: MediaStream): void {
    this.video.srcObject = stream;
    void this.video.play().catch(() => undefined);
    if (this.running) return;
    this.running = true;
    this.lastSummary = this.opts.now();
    this.schedule();
  }

  isRunning(): boolean {
    return this.running;
  }

  /** The flags raised now (for a standing notice while they last). */
  get active(): ReadonlySet<Flag> {
    return this.tracker.active;
  }

  get visiblePct(): number | null {
    return this.tracker.visiblePct;
  }

  /** How long frames have been analysed (server time). */
  get monitoredMs(): number {
    return this.tracker.totalMs;
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.summarise();
    this.wide = null;
    this.video.srcObject = null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), 1000 / Math.max(0.1, this.opts.fps));
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    if (this.video.videoWidth > 0) {
      try {
        const due = !this.wide || performance.now() - this.wide.at >= PRESENCE.wideEveryMs;
        const r = await detectFaces(this.video, { wide: due });
        // Who else it saw (not the candidate, placed by this frame's own check) stands until the
        // next wide check; an answer that did not come in time is not used.
        if (r.wide) this.wide = { faces: othersOf(r.wide.faces, r.faces), at: performance.now() };
        const others = this.wide && performance.now() - this.wide.at < 1.5 * PRESENCE.wideEveryMs ? this.wide.faces : undefined;
        const sample: PresenceSample = { ...r, at: this.opts.now(), ...(others ? { others } : {}) };
        for (const change of this.tracker.push(sample)) this.opts.onChange(change);
      } catch (err) {
        // No detector on this device: monitoring is off; the recording is the evidence.
        console.warn('presence monitoring stopped', err);
        this.running = false;
        return;
      }
    }
    if (this.opts.now() - this.lastSummary >= SUMMARY_EVERY_MS) this.summarise();
    // stop() may have been called while the frame was in the worker.
    if (this.isRunning()) this.schedule();
  }

  private summarise(): void {
    this.lastSummary = this.opts.now();
    const pct = this.tracker.visiblePct;
    if (pct !== null) this.opts.onSummary(pct, this.tracker.totalMs);
  }
}
