import type { ProgressReply } from '../../src/core/api-schema.js';
import type { ChatMessage } from '../../src/core/event-schema.js';

/** A notice for the live console (see `Changes`). */
export type Change =
  /** Something on a candidate's tile may have changed (events, uploads, login, identity…). */
  | { kind: 'candidate'; exam: string; candidate: string }
  /** A new help-chat message, either way. */
  | { kind: 'chat'; exam: string; candidate: string; message: ChatMessage }
  /** The server's decision about a candidate's exam changed (extra time, an end for cause). */
  | { kind: 'progress'; exam: string; candidate: string; progress: ProgressReply };
