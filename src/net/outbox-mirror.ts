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

  mark(): number {
    return this.heard;
  }

  /** A read begun at `mark` that found every item still to send (none skipped, fewer than asked for). */
  took(mark: number, read: readonly QueuedItem[]): void {
    if (mark === this.heard) this.items = new Map(read.map((q) => [q.key, q.item]));
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

  /** A change announced by any context (this one's too). */
  heardChange(change: OutboxChange): void {
    this.heard++;
    if (!this.items) return;
    if (!change.added && !change.removed) {
      this.items = null;
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
  }
}
