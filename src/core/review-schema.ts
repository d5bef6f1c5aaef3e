import { z } from 'zod';
import { ExamSummary, LotteryNumber, Progress } from './api-schema.js';
import { ChatMessage } from './event-schema.js';
import { Id } from './exam-schema.js';
import { RecordingKind } from './recording-schema.js';
import { CandidateTile, Outage, ProctorAction, RoomEvent } from './room-schema.js';

/** Where a reviewer stands with one candidate (R13): flags are leads for a person, never verdicts. */
export const REVIEW_STATES = ['not-started', 'in-review', 'cleared', 'incident'] as const;
export const ReviewState = z.enum(REVIEW_STATES);
export type ReviewState = z.infer<typeof ReviewState>;

export const FLAG_VERDICTS = ['confirmed', 'dismissed'] as const;
export const FlagVerdict = z.enum(FLAG_VERDICTS);

/** One stored decision: who decided what, when. The newest per subject stands; none is overwritten. */
export const ReviewDecision = z.object({
  /** `candidate`, or `flag:<event id of the flag's raise>`. */
  subject: z.string(),
  decision: z.union([ReviewState, FlagVerdict]),
  note: z.string(),
  by: Id,
  at: z.number(),
});
export type ReviewDecision = z.infer<typeof ReviewDecision>;

export const FlagDecisionRequest = z.object({ verdict: FlagVerdict, note: z.string().trim().max(500).default('') });
/** Cleared and incident need a reason; "in review" does not. */
export const CandidateDecisionRequest = z.object({
  state: z.enum(['in-review', 'cleared', 'incident']),
  reason: z.string().trim().max(500).default(''),
}).refine((d) => d.state === 'in-review' || d.reason.length > 0, { error: 'a reason is required to clear a candidate or mark an incident', path: ['reason'] });

/** Evidence completeness of one kind of recording: bytes verified ÷ bytes the device reported recording. */
export const Completeness = z.object({
  kind: RecordingKind,
  verifiedBytes: z.number(),
  /** What the device reported recording; null when it never said (then the ratio is unknown). */
  recordedBytes: z.number().nullable(),
  ratio: z.number().nullable(),
});
export type Completeness = z.infer<typeof Completeness>;

/** One row of the reviewer's list. */
export const ReviewRow = z.object({
  id: Id,
  name: z.string(),
  room: Id,
  number: z.number().nullable(),
  entered: z.boolean(),
  /** Flags raised and not yet judged, by kind. */
  unreviewed: z.object({ 'cant-see': z.number(), suspicious: z.number() }),
  flags: z.number(),
  integrity: z.number(),
  outages: z.object({ count: z.number(), totalMs: z.number() }),
  identity: CandidateTile.shape.identity,
  completeness: z.array(Completeness),
  state: ReviewState,
  priority: z.number(),
});
export type ReviewRow = z.infer<typeof ReviewRow>;

export const ReviewList = z.object({
  reviewer: z.object({ id: Id, name: z.string(), role: z.enum(['proctor', 'reviewer']) }),
  exam: ExamSummary,
  rooms: z.array(z.object({ id: Id, name: z.string() })),
  candidates: z.array(ReviewRow),
});
export type ReviewList = z.infer<typeof ReviewList>;

/** A segment as the review timeline places it: server-time start and its length. */
export const ReviewSegment = z.object({ segment: z.number().int(), startedAt: z.number().nullable(), durationMs: z.number() });
export const ReviewRecording = z.object({
  id: z.string(), kind: RecordingKind, verifiedAt: z.number().nullable(), segments: z.array(ReviewSegment),
  /** Hex SHA-256 chain head the server verified (null before completion): `invigil verify` re-derives it. */
  chainHead: z.string().nullable(),
  bytes: z.number(),
});
export type ReviewRecording = z.infer<typeof ReviewRecording>;

/** Everything the review page of one candidate needs, in server time. */
export const ReviewCase = z.object({
  exam: ExamSummary,
  candidate: z.object({ id: Id, name: z.string(), room: Id }),
  row: ReviewRow,
  progress: Progress,
  lottery: LotteryNumber.nullable(),
  events: z.array(RoomEvent),
  chat: z.array(ChatMessage),
  outages: z.array(Outage),
  actions: z.array(ProctorAction),
  recordings: z.array(ReviewRecording),
  decisions: z.array(ReviewDecision),
});
export type ReviewCase = z.infer<typeof ReviewCase>;
