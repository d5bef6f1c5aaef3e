import { z } from 'zod';
import { ExamSummary, LotteryNumber, Progress } from './api-schema.js';
import { ChatMessage, EVENT_TYPES } from './event-schema.js';
import { Id } from './exam-schema.js';
import { IDENTITY_PATHS } from './face-match.js';
import { PhoneStatus } from './evidence-phone.js';
import { STEPS } from './flow.js';

/** A presence flag standing now (raised, not yet cleared), with when it began. */
export const StandingFlag = z.object({ flag: z.string(), kind: z.enum(['cant-see', 'suspicious']), since: z.number() });

/** One recording of the candidate as the proctor sees it: what the server holds of what the device recorded. */
export const TileUpload = z.object({
  id: z.string(),
  kind: z.enum(['camera', 'screen', 'evidence']),
  /** Bytes the server holds (each checked by digest). */
  heldBytes: z.number(),
  /** Bytes the device reported having recorded (heartbeats); null when not heard yet. */
  recordedBytes: z.number().nullable(),
  verified: z.boolean(),
  problem: z.string().nullable(),
});
export type TileUpload = z.infer<typeof TileUpload>;

/** Everything one proctor tile shows of a candidate (pushed on every change). */
export const CandidateTile = z.object({
  id: Id,
  name: z.string(),
  room: Id,
  number: z.number().nullable(),
  loggedIn: z.boolean(),
  /** The step the device last reported (R1–R10), null before it was heard. */
  step: z.enum(STEPS).nullable(),
  /** Heard within the last few seconds. */
  online: z.boolean(),
  lastHeardAt: z.number().nullable(),
  /** In the exam and silent: since when (server time). The device keeps recording meanwhile. */
  offlineSince: z.number().nullable(),
  /** Outages in the exam so far and their total length, ms. */
  outages: z.object({ count: z.number(), totalMs: z.number() }),
  progress: Progress,
  /** The device said it is recording now. */
  recording: z.boolean(),
  flags: z.object({
    standing: z.array(StandingFlag),
    /** Flags raised so far in all. */
    raised: z.number(),
    /** Share of monitored time with the face in view, percent (the latest per-minute summary). */
    visiblePct: z.number().nullable(),
  }),
  /** Integrity signals so far (switching away, copy, a second display…). */
  integrity: z.number(),
  identity: z.object({
    /** The login: the face gate passed, or the non-face path (`manual`); null before a login frame arrived. */
    gate: z.enum(['passed', 'manual']).nullable(),
    /** Face match, where the exam uses it. */
    match: z.enum(IDENTITY_PATHS).nullable(),
    /** The proctor must check identity live (the non-face path, or any match outcome but `matched`). */
    needsLiveCheck: z.boolean(),
    confirmedAt: z.number().nullable(),
    confirmedBy: Id.nullable(),
  }),
  /** Candidate messages this proctor has not read. */
  unreadChat: z.number(),
  uploads: z.array(TileUpload),
  /** Device problems reported (storage, refused items, limits, a recorder that did not start). */
  deviceProblems: z.number(),
  /** The evidence phone (R4): null before one was bound. */
  phone: PhoneStatus.nullable(),
});
export type CandidateTile = z.infer<typeof CandidateTile>;

export const ProctorRoom = z.object({
  proctor: z.object({ id: Id, name: z.string() }),
  exam: ExamSummary,
  rooms: z.array(z.object({ id: Id, name: z.string() })),
  candidates: z.array(CandidateTile),
  /** ICE servers from the exam configuration (no public STUN/TURN by default). */
  iceServers: z.array(z.object({ urls: z.union([z.string(), z.array(z.string())]), username: z.string().optional(), credential: z.string().optional() })),
  iceTransportPolicy: z.enum(['all', 'relay']),
  serverNow: z.number(),
});
export type ProctorRoom = z.infer<typeof ProctorRoom>;

export const PROCTOR_ACTIONS = ['confirm-identity', 'warning', 'extra-time', 'end-for-cause'] as const;
export const ProctorAction = z.object({
  id: z.string(), type: z.enum(PROCTOR_ACTIONS), proctor: Id, at: z.number(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type ProctorAction = z.infer<typeof ProctorAction>;

export const Outage = z.object({ from: z.number(), to: z.number().nullable(), source: z.enum(['heartbeat', 'device']) });
export type Outage = z.infer<typeof Outage>;

export const RoomEvent = z.object({
  id: z.string(), type: z.enum(EVENT_TYPES), at: z.number(), receivedAt: z.number(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** The candidate detail: the tile, the event list with server times, the chat, outages and actions. */
export const CandidateDetail = z.object({
  tile: CandidateTile,
  lottery: LotteryNumber.nullable(),
  events: z.array(RoomEvent),
  chat: z.array(ChatMessage),
  outages: z.array(Outage),
  actions: z.array(ProctorAction),
});
export type CandidateDetail = z.infer<typeof CandidateDetail>;

export const WarningRequest = z.object({ text: z.string().trim().min(1).max(500) });
export const ExtraTimeRequest = z.object({ minutes: z.number().positive().max(120), reason: z.string().trim().min(1).max(500) });
export const EndForCauseRequest = z.object({ reason: z.string().trim().min(1).max(500) });
export const ConfirmIdentityRequest = z.object({ note: z.string().trim().max(500).optional() });
