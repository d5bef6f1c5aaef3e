import { z } from 'zod';
import { Progress } from './api-schema.js';
import { ChatMessage } from './event-schema.js';
import { Id } from './exam-schema.js';
import { STEPS } from './flow.js';
import { RUNGS } from './ladder.js';
import { CandidateTile } from './room-schema.js';

/** A socket's address for peer signaling, given by the server in `ready`. */
export const PeerId = z.string().regex(/^p-[A-Za-z0-9]{8,32}$/);
/** One peer link (one proctor tab watching one candidate device), named by the proctor's side. */
export const LinkId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/**
 * What a peer connection hands over (the shape simple-peer's `signal` uses): a session
 * description, or one ICE candidate (trickled), or the end of candidates; and the candidate
 * side's rung when the link itself is closed for it (events only), so the word cannot be lost
 * behind a congested link's queue.
 */
export const SignalData = z.union([
  z.object({ type: z.enum(['offer', 'answer']), sdp: z.string().max(60_000) }),
  z.object({
    type: z.literal('candidate'),
    candidate: z.object({
      candidate: z.string().max(1000), sdpMid: z.string().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(), usernameFragment: z.string().max(256).nullable().optional(),
    }),
  }),
  z.object({ type: z.literal('rung'), rung: z.enum(RUNGS) }),
]);
export type SignalData = z.infer<typeof SignalData>;
/** What the peer connection itself hands over and takes (a rung is the app's word beside it). */
export type PeerSignal = Exclude<SignalData, { type: 'rung' }>;

/** What a proctor asks of one candidate's live view. */
export const WatchWish = z.object({
  /** `high`: one tile at ≈ 360p / 500 kbit/s; `low`: the ladder's ≈ 180p / 150 kbit/s and down. */
  quality: z.enum(['low', 'high']),
  /** The candidate's screen too (on request). */
  screen: z.boolean(),
});
export type WatchWish = z.infer<typeof WatchWish>;

/** Which of the candidate's devices a live view comes from. */
export const LiveDevice = z.enum(['laptop', 'phone']).default('laptop');
export type LiveDevice = z.infer<typeof LiveDevice>;

/** The candidate device's state, every few seconds: the server keeps presence from it. */
export const DeviceState = z.object({
  step: z.enum(STEPS),
  /** Recording on this page now. */
  recording: z.boolean(),
  /** Bytes each recording holds on the device (recorded so far), for completeness on the proctor's side. */
  recordings: z.array(z.object({ id: z.string().max(64), kind: z.enum(['camera', 'screen', 'evidence']), bytes: z.number().nonnegative() })).max(8),
  /** Peer links to proctors sending live video now. */
  watchedBy: z.number().int().nonnegative().max(64),
});
export type DeviceState = z.infer<typeof DeviceState>;

/** Messages a client sends over the WebSocket. The first must be `auth`. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(10).max(4096) }),
  z.object({ type: z.literal('ping'), id: z.number().int() }),
  /**
   * Candidate: heard every few seconds (presence); with its state when that changed (bytes
   * recorded: every half minute), and first on each socket.
   */
  z.object({ type: z.literal('heartbeat'), state: DeviceState.optional() }),
  /** Proctor: start (or change) watching one candidate of their rooms live: the laptop's camera, or the evidence phone's. */
  z.object({ type: z.literal('watch'), candidate: Id, link: LinkId, wish: WatchWish, device: LiveDevice }),
  z.object({ type: z.literal('unwatch'), candidate: Id, link: LinkId, device: LiveDevice }),
  /** Either side of a peer link: relayed by the server only between a candidate and a proctor of its room. */
  z.object({ type: z.literal('signal'), to: PeerId, link: LinkId, data: SignalData }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), role: z.enum(['candidate', 'proctor', 'phone']), subject: z.string(), peer: PeerId }),
  z.object({ type: z.literal('pong'), id: z.number().int(), serverNow: z.number() }),
  z.object({ type: z.literal('session-ended'), reason: z.string() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
  /** To a candidate's laptop or phone: a proctor of its room wants its live view (sent again on every reconnect). */
  z.object({ type: z.literal('watch'), from: PeerId, proctor: Id, link: LinkId, wish: WatchWish }),
  z.object({ type: z.literal('unwatch'), from: PeerId, link: LinkId }),
  z.object({ type: z.literal('signal'), from: PeerId, link: LinkId, data: SignalData }),
  /** To a proctor: one candidate's tile changed. */
  z.object({ type: z.literal('tile'), tile: CandidateTile }),
  /** A new help-chat message: to the proctors of the room (with the candidate) and to the candidate. */
  z.object({ type: z.literal('chat'), candidate: Id, message: ChatMessage }),
  /** To a candidate: what the server now holds of its progress (extra time, an end for cause). */
  z.object({ type: z.literal('progress'), progress: Progress }),
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

/** How often a candidate device reports its state, and how long silence means "offline". */
export const HEARTBEAT_MS = 3_000;
/** A heartbeat carries the recorded byte counts at least this often (they change every chunk). */
export const HEARTBEAT_BYTES_MS = 30_000;
export const OFFLINE_AFTER_MS = 7_500;
