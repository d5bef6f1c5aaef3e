import { segmentAt, type PlacedSegment } from '../core/review.js';

/** What a stream needs of a `<video>` (a stand-in in tests). */
export interface VideoLike extends EventTarget {
  src: string;
  readonly dataset: DOMStringMap;
  currentTime: number;
  playbackRate: number;
  readonly paused: boolean;
  readonly readyState: number;
  readonly seeking: boolean;
  readonly ended: boolean;
  play(): Promise<void>;
  pause(): void;
  removeAttribute(name: string): void;
  load(): void;
}

export type StreamState = 'gap' | 'loading' | 'ready' | 'failed';

/** Past this a stream is put in place by a seek; below it its rate is nudged (a seek stalls the picture). */
const SEEK_BEYOND_S = 0.25;
/** The rate's nudge per second of drift, and the drift beyond which it may exceed ±10 %. */
const NUDGE_GAIN = 2;
const NUDGE_WIDE_S = 0.05;
/** The largest nudge close in (unnoticeable), and while further off. */
const NUDGE_CLOSE = 0.1;
const NUDGE_WIDE = 0.25;
/** Within this, the rate is left alone (a frame's jitter). */
const IN_STEP_S = 0.015;
const HAVE_CURRENT_DATA = 2;
const HAVE_FUTURE_DATA = 3;

/**
 * One recording kind (camera, screen, phone) on the review's server-time line: loads the segment
 * under the position, seeks into it, and keeps the video within a few frames of the position by
 * nudging its rate. In a gap it shows nothing (the gap is the evidence that nothing was recorded).
 */
export class StreamSync {
  state: StreamState = 'gap';
  segment: PlacedSegment | null = null;
  private loadedUrl = '';
  private metadata = false;

  constructor(readonly video: VideoLike, readonly placed: readonly PlacedSegment[], private readonly urlOf: (s: PlacedSegment) => string) {
    video.addEventListener('loadedmetadata', () => { this.metadata = true; });
    video.addEventListener('error', () => { if (this.loadedUrl) this.state = 'failed'; });
  }

  /** Where this stream's picture is on the server-time line, or null (in a gap, not loaded). */
  position(): number | null {
    if (!this.segment || this.state !== 'ready') return null;
    return this.segment.from + this.video.currentTime * 1000;
  }

  /**
   * The stream waits for data: the clock holds for it. Paused, its frame at the position is enough
   * (a seek is done when the picture is there); playing, it needs data ahead of it.
   */
  stalls(playing: boolean): boolean {
    if (this.state === 'loading') return true;
    const needed = playing ? HAVE_FUTURE_DATA : HAVE_CURRENT_DATA;
    return this.state === 'ready' && !this.video.ended && (this.video.seeking || this.video.readyState < needed);
  }

  /** Brings the stream to server time `t` (ms), playing at `rate` or paused. */
  follow(t: number, playing: boolean, rate: number): void {
    const at = segmentAt(this.placed, t);
    if (!at) {
      this.toGap(t);
      return;
    }
    const url = this.urlOf(at.segment);
    if (url !== this.loadedUrl) this.open(url);
    // Out of a gap into the segment loaded during it: only a seek is left to do.
    if (this.state === 'gap') this.state = 'loading';
    this.segment = at.segment;
    if (this.state === 'failed') return;
    if (!this.metadata) return;
    const target = at.offsetMs / 1000;
    const drift = this.video.currentTime - target;
    if (this.state === 'loading' || Math.abs(drift) > SEEK_BEYOND_S || (!playing && Math.abs(drift) > 0.02)) {
      this.video.currentTime = target;
      this.state = 'ready';
    }
    if (!playing) {
      if (!this.video.paused) this.video.pause();
      this.video.playbackRate = rate;
      return;
    }
    // Behind: faster; ahead: slower. Within a few frames at most ±10 % (unnoticeable); a stream
    // that joins a playing review starts ≈ 100 ms late (its decoder starts after the others run):
    // up to ±25 % until within NUDGE_WIDE_S, so it is in step within half a second, not two.
    const cap = Math.abs(drift) > NUDGE_WIDE_S ? NUDGE_WIDE : NUDGE_CLOSE;
    const nudge = Math.max(-cap, Math.min(cap, -drift * NUDGE_GAIN));
    this.video.playbackRate = rate * (1 + (Math.abs(drift) > IN_STEP_S ? nudge : 0));
    if (this.video.paused && !this.video.ended) void this.video.play().catch(() => undefined);
  }

  pause(): void {
    if (!this.video.paused) this.video.pause();
  }

  private open(url: string): void {
    this.loadedUrl = url;
    this.metadata = false;
    this.state = 'loading';
    this.video.src = url;
    this.video.load();
  }

  /**
   * In a gap the stream shows nothing, and loads the next segment's head meanwhile (the player
   * covers the picture): a seek or the clock reaching it then finds it ready to seek into.
   */
  private toGap(t: number): void {
    const next = this.placed.find((s) => s.from > t);
    const url = next ? this.urlOf(next) : '';
    // Already there (or that segment failed to load: it stays failed, shown as nothing).
    if (url === this.loadedUrl && (this.state === 'gap' || this.state === 'failed')) return;
    if (!this.video.paused) this.video.pause();
    if (url !== this.loadedUrl) {
      if (url) this.open(url);
      else {
        this.loadedUrl = '';
        this.metadata = false;
        this.video.removeAttribute('src');
        this.video.load();
      }
    }
    this.state = 'gap';
    this.segment = null;
  }
}

/**
 * The review's one clock for all streams, in server time: while playing it follows the first
 * stream that has a picture (so that stream never drifts), else the wall clock; it holds while any
 * stream waits for data, so no stream is left behind.
 */
export class SyncClock {
  private anchorT: number;
  private anchorWall = 0;
  private master: StreamSync | null = null;
  playing = false;
  rate = 1;

  constructor(readonly streams: readonly StreamSync[], start: number, private readonly wall: () => number = () => performance.now()) {
    this.anchorT = start;
  }

  /** The position, server epoch ms. */
  now(): number {
    if (!this.playing) return this.anchorT;
    const led = this.master?.position();
    if (led !== null && led !== undefined) return led;
    return this.anchorT + (this.wall() - this.anchorWall) * this.rate;
  }

  /** One step: every stream brought to the position; the clock held while any of them waits. */
  tick(): void {
    const t = this.now();
    if (this.playing && this.streams.some((s) => s.stalls(true))) {
      this.reanchor(t);
      for (const s of this.streams) {
        s.follow(t, false, this.rate);
      }
      return;
    }
    this.reanchor(t);
    const master = this.streams.find((s) => s.position() !== null && !s.video.paused) ?? null;
    this.master = this.playing ? master : null;
    for (const s of this.streams) if (s !== this.master || !this.playing) s.follow(t, this.playing, this.rate);
    if (this.master) {
      this.master.video.playbackRate = this.rate;
      this.master.follow(t, true, this.rate);
    }
  }

  play(): void {
    this.reanchor(this.now());
    this.playing = true;
    this.tick();
  }

  pause(): void {
    this.reanchor(this.now());
    this.playing = false;
    this.master = null;
    for (const s of this.streams) s.pause();
    this.tick();
  }

  seek(t: number): void {
    this.master = null;
    this.anchorT = t;
    this.anchorWall = this.wall();
    this.tick();
  }

  setRate(rate: number): void {
    this.reanchor(this.now());
    this.rate = rate;
    this.tick();
  }

  /** The largest distance between a stream's picture and the position, ms (0 with nothing playing). */
  drift(): number {
    const t = this.now();
    return this.streams.reduce((max, s) => {
      const p = s.position();
      return p === null ? max : Math.max(max, Math.abs(p - t));
    }, 0);
  }

  private reanchor(t: number): void {
    this.anchorT = t;
    this.anchorWall = this.wall();
  }
}
