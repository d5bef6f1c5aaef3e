import { OutboxItem, type QueuedItem } from '../storage/outbox.js';
import type { OutboxChange } from '../storage/store-events.js';

/**
 * The outbox as this context knows it without reading the store: filled by one read that found
 * every item still to send, then kept by the changes every context announces (an item added comes
 * with itself, an item acknowledged or set aside with its key). A change it cannot apply — a bare
 * notice, an item that does not parse, a read that overlapped a change, a write that failed —
 * makes the next flush read the store again. So a pass beside a long exam posts the events just
 * logged without a read of the store.
 */
export class OutboxMirror {
  private items: Map<number, OutboxItem> | null = null;
  /** Counts changes heard, so a read that overlapped one is not taken as the whole outbox. */
  private heard = 0;
  /** The newest key heard of (added, removed, or read): keys only grow. */
  private newest = -1;
  private waiting: { key: number; done: () => void }[] = [];

  mark(): number {
    return this.heard;
  }

  /** A read begun at `mark` that found every item still to send (none skipped, fewer than asked for). */
  took(mark: number, read: readonly QueuedItem[]): void {
    this.saw(read.map((q) => q.key));
    if (mark === this.heard) this.items = new Map(read.map((q) => [q.key, q.item]));
  }

  /**
   * Resolves once the item with `key` (added by another context, which then asked for a pass) can
   * be known here: the mirror has heard of it, or is not in use. Its notice and the request for a
   * pass travel by different channels, so the notice may come second; after `ms` without it the
   * store is read instead.
   */
  caughtUp(key: number, ms = 100): Promise<void> {
    if (!this.items || this.newest >= key) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.forget();
        resolve();
      }, ms);
      this.waiting.push({ key, done: () => { clearTimeout(timer); resolve(); } });
    });
  }

  /** How many items wait, or null when only a read of the store can say. */
  size(): number | null {
    return this.items?.size ?? null;
  }

  /** The oldest `limit` items `skip` does not exclude, or null when the store must be read. */
  first(limit: number, skip: (item: OutboxItem) => boolean): QueuedItem[] | null {
    if (!this.items) return null;
    const keys = [...this.items.keys()].sort((a, b) => a - b);
    const out: QueuedItem[] = [];
    for (const key of keys) {
      const item = this.items.get(key);
      if (item && !skip(item)) out.push({ key, item });
      if (out.length === limit) break;
    }
    return out;
  }

  /** The server has these: they leave memory now, before their acknowledgement is written. */
  sent(keys: readonly number[]): void {
    for (const key of keys) this.items?.delete(key);
  }

  private saw(keys: readonly number[]): void {
    for (const key of keys) if (key > this.newest) this.newest = key;
    const ready = this.waiting.filter((w) => w.key <= this.newest);
    if (ready.length === 0) return;
    this.waiting = this.waiting.filter((w) => w.key > this.newest);
    for (const w of ready) w.done();
  }

  /** A change announced by any context (this one's too). */
  heardChange(change: OutboxChange): void {
    this.heard++;
    this.saw([...(change.added ?? []).map((a) => a.key), ...(change.removed ?? [])].filter(Number.isSafeInteger));
    if (!this.items) return;
    if (!change.added && !change.removed) {
      this.forget();
      return;
    }
    for (const { key, item } of change.added ?? []) {
      const parsed = OutboxItem.safeParse(item);
      if (!parsed.success || !Number.isSafeInteger(key)) {
        this.forget();
        return;
      }
      this.items.set(key, parsed.data);
    }
    for (const key of change.removed ?? []) this.items.delete(key);
  }

  /** Read the store on the next flush. */
  forget(): void {
    this.heard++;
    this.items = null;
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.done();
  }
}
