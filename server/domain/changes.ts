import type { ProgressReply } from '../../src/core/api-schema.js';
import type { ChatMessage } from '../../src/core/event-schema.js';

export type Change =
  /** Something on a candidate's tile may have changed (events, uploads, login, identity…). */
  | { kind: 'candidate'; exam: string; candidate: string }
  /** A new help-chat message, either way. */
  | { kind: 'chat'; exam: string; candidate: string; message: ChatMessage }
  /** The server's decision about a candidate's exam changed (extra time, an end for cause). */
  | { kind: 'progress'; exam: string; candidate: string; progress: ProgressReply };

/**
 * What the live console must hear about at once. In-process now; with several server processes
 * the same notices travel over Redis pub/sub (a later issue), so publishers and listeners stay.
 */
export class Changes {
  private readonly listeners = new Set<(c: Change) => void>();

  on(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
