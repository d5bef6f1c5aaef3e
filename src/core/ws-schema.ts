import { z } from 'zod';

/** Messages a client sends over the WebSocket. The first must be `auth`. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(10).max(4096) }),
  z.object({ type: z.literal('ping'), id: z.number().int() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), role: z.enum(['candidate', 'proctor']), subject: z.string() }),
  z.object({ type: z.literal('pong'), id: z.number().int(), serverNow: z.number() }),
  z.object({ type: z.literal('session-ended'), reason: z.string() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/**
 * Close codes: ours in the private range (4000–4999), plus RFC 6455's 1008 (policy violation:
 * a message flood). Frame-level faults close with the protocol's own codes (1002, 1007, 1009).
 */
export const WS_CLOSE = {
  unauthorized: 4001, badMessage: 4002, sessionEnded: 4003,
  /** The same user opened a newer socket beyond the per-user cap. */
  replaced: 4004,
  /** Too many sockets from one address waiting to authenticate; the oldest goes. */
  tooMany: 4005,
  policy: 1008,
} as const;
