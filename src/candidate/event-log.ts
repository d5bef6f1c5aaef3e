import type { EventType } from '../core/event-schema.js';
import type { Owner } from '../storage/credentials.js';
import { enqueue, type OutboxItem } from '../storage/outbox.js';
import { isStorageFull } from '../storage/space.js';

export type EventDetail = Record<string, string | number | boolean>;
export type EventListener = (type: EventType, detail?: EventDetail) => void;

const newId = () => crypto.randomUUID().replace(/-/g, '');

/** Events held in memory while the disk is full, at most this many (the oldest kept: they say when it began). */
const MAX_UNSAVED = 500;
const RETRY_MS = 3_000;

/**
 * Everything the candidate's device reports goes through here into the outbox, with its owner
 * (exam, candidate) and server time; it is posted with that candidate's credential when the link
 * allows, and kept on the device until then.
 */
export class EventLog {
  private readonly listeners = new Set<EventListener>();
  /** Events the full disk refused, oldest first: stored as soon as there is room (lost only if the page closes first). */
  private unsaved: OutboxItem[] = [];
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly owner: () => Owner | null, private readonly now: () => number) {}

  /** Called after each event is stored (warnings on screen, a nudge to the uploader). */
  onLogged(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps an event, stamped with server time (now, or when it began). */
  async log(type: EventType, detail?: EventDetail, at = this.now()): Promise<void> {
    const owner = this.owner();
    if (!owner) return;
    const item: OutboxItem = { kind: 'event', ...owner, event: { id: newId(), type, at: Math.round(at), ...(detail ? { detail } : {}) } };
    if (this.unsaved.length > 0) this.hold(item);
    else {
      try {
        await enqueue(item);
      } catch (err) {
        // The disk is full ("storage-full" itself is logged then): keep it here, store it later.
        if (!isStorageFull(err)) throw err;
        this.hold(item);
      }
    }
    for (const listener of this.listeners) listener(type, detail);
  }

  /** How many events wait in memory for room on the disk. */
  get waiting(): number {
    return this.unsaved.length;
  }

  private hold(item: OutboxItem): void {
    if (this.unsaved.length < MAX_UNSAVED) this.unsaved.push(item);
    this.retry ??= setTimeout(() => void this.flush(), RETRY_MS);
  }

  private flushing = false;

  private async flush(): Promise<void> {
    this.retry = null;
    // One at a time: a second would store the first's item again (events held meanwhile join the running one).
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.unsaved[0]) {
        await enqueue(this.unsaved[0]);
        this.unsaved.shift();
      }
    } catch {
      this.retry ??= setTimeout(() => void this.flush(), RETRY_MS);
    } finally {
      this.flushing = false;
    }
  }

  async chat(text: string): Promise<void> {
    const owner = this.owner();
    if (!owner) return;
    await enqueue({ kind: 'chat', ...owner, message: { id: newId(), text, at: Math.round(this.now()) } });
  }

  /** The login frame (R2): evidence, kept on the device until the server has it. */
  async capture(blob: Blob, faceCheck: 'passed' | 'manual'): Promise<void> {
    const owner = this.owner();
    if (!owner) return;
    await enqueue({ kind: 'capture', ...owner, id: newId(), at: Math.round(this.now()), faceCheck, blob });
  }
}
