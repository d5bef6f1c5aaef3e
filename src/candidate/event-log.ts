import type { EventType } from '../core/event-schema.js';
import type { Owner } from '../storage/credentials.js';
import { enqueue } from '../storage/outbox.js';

export type EventDetail = Record<string, string | number | boolean>;
export type EventListener = (type: EventType, detail?: EventDetail) => void;

const newId = () => crypto.randomUUID().replace(/-/g, '');

/**
 * Everything the candidate's device reports goes through here into the outbox, with its owner
 * (exam, candidate) and server time; it is posted with that candidate's credential when the link
 * allows, and kept on the device until then.
 */
export class EventLog {
  private readonly listeners = new Set<EventListener>();

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
    await enqueue({ kind: 'event', ...owner, event: { id: newId(), type, at: Math.round(at), ...(detail ? { detail } : {}) } });
    for (const listener of this.listeners) listener(type, detail);
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
