import type { FramesReply } from '../core/recording-schema.js';
import type { LocalChunk } from '../storage/recording-store.js';

/** How long the first recording to join waits for the others of its pass (theirs take milliseconds). */
export const JOIN_WAIT_MS = 1_000;

/** One recording's chunks in a shared request. */
export interface Section { id: string; chunks: LocalChunk[] }

/**
 * Gathers the framed requests one pass makes for several recordings of one candidate (camera and
 * screen, live) into one request of sections (docs/api.md, "Several recordings in one request"):
 * half the requests, and half the browser's work per pass. `participants` are the recordings the
 * pass may send; each either joins (its chunks) or leaves (it sends nothing framed this pass). Once
 * none is left to hear from, the sections go — by whoever joined first — and every one that joined
 * gets the one reply (or the one failure). Joined alone, it sends its own request, as without a batch.
 * The first to join waits at most `maxWaitMs` for the others (one held up — a request of its pass
 * that hangs on a dying link — does not hold the others' chunks): then what joined goes, and the
 * late ones send their own.
 */
export class SectionBatch {
  private readonly open: Set<string>;
  private readonly joined: { section: Section; send: (sections: Section[]) => Promise<FramesReply | null> }[] = [];
  private readonly reply: Promise<FramesReply | null>;
  private settle: { resolve: (r: FramesReply | null) => void; reject: (err: unknown) => void } = { resolve: () => {}, reject: () => {} };
  private sent = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(participants: Iterable<string>, private readonly maxWaitMs = JOIN_WAIT_MS) {
    this.open = new Set(participants);
    this.reply = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    // Each joiner awaits it; one no one awaits (nothing joined) must not be an unhandled rejection.
    this.reply.catch(() => undefined);
  }

  /** This recording may still join (once: later requests of its pass go on their own). */
  takes(id: string): boolean {
    return this.open.has(id);
  }

  /**
   * Adds a recording's chunks; resolves with the shared reply (each frame naming its recording),
   * or null when the chunks were not sent together (joined alone, or the server takes no
   * sections): the caller sends them its own way.
   */
  join(section: Section, send: (sections: Section[]) => Promise<FramesReply | null>): Promise<FramesReply | null> {
    this.open.delete(section.id);
    this.joined.push({ section, send });
    this.timer ??= setTimeout(() => {
      this.open.clear();
      this.flushIfComplete();
    }, this.maxWaitMs);
    this.flushIfComplete();
    return this.reply;
  }

  /** The recording's pass is over (or sends nothing framed): the others do not wait for it. */
  leave(id: string): void {
    if (this.open.delete(id)) this.flushIfComplete();
  }

  private flushIfComplete(): void {
    if (this.sent || this.open.size > 0) return;
    this.sent = true;
    clearTimeout(this.timer);
    const [first] = this.joined;
    if (!first || this.joined.length < 2) return this.settle.resolve(null);
    first.send(this.joined.map((j) => j.section)).then(this.settle.resolve, this.settle.reject);
  }
}
