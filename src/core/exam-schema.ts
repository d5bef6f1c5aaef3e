import { z } from 'zod';
import { LocalizedText } from './localized.js';

/** Ids appear in URLs, file names and tokens: keep them to a safe alphabet. */
export const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1–64 letters, digits, ".", "_" or "-"');

const Minutes = z.number().nonnegative().max(24 * 60);

export const Timeline = z.object({
  /** ISO 8601 with an offset, e.g. "2026-12-01T09:00:00+08:00". */
  start: z.iso.datetime({ offset: true }),
  loginOpensMinutesBefore: Minutes.default(30),
  entryOpensMinutesBefore: Minutes.default(15),
  entryClosesMinutesAfter: Minutes.default(0),
  lotteryClosesMinutesBefore: Minutes.default(5),
  readingMinutes: z.number().positive().max(24 * 60).default(10),
  answeringMinutes: z.number().positive().max(24 * 60).default(5),
});
export type Timeline = z.infer<typeof Timeline>;

export const Question = z.object({ id: Id, text: LocalizedText });

export const Attachments = z.object({
  procedure: LocalizedText,
  pledge: LocalizedText,
  notice: LocalizedText,
});

export const Room = z.object({ id: Id, name: z.string().min(1) });

/** Roster photo files by name; `invigil import` also checks the bytes. */
export const PHOTO_FILE = /\.(jpe?g|png|webp)$/i;

export const Candidate = z.object({
  id: Id,
  name: z.string().min(1),
  ticketCode: z.string().min(4).max(64),
  room: Id,
  /** Path of a reference photo, relative to the exam file. */
  photo: z.string().regex(PHOTO_FILE, 'a .jpg, .png or .webp file').optional(),
});
export type Candidate = z.infer<typeof Candidate>;

export const Proctor = z.object({
  id: Id,
  name: z.string().min(1),
  /** `scrypt$…` as printed by `invigil hash-password`. */
  passwordHash: z.string().regex(/^scrypt\$/, 'must be a hash from "invigil hash-password"'),
  /**
   * `proctor`: watches and reviews the candidates of `rooms`. `reviewer` (R13): reviews the
   * candidates of every room after the exam; watches live only the `rooms` listed (may be none).
   */
  role: z.enum(['proctor', 'reviewer']).default('proctor'),
  rooms: z.array(Id).default([]),
}).refine((p) => p.role === 'reviewer' || p.rooms.length > 0, { error: 'a proctor needs at least one room (a reviewer may have none)', path: ['rooms'] });
export type Proctor = z.infer<typeof Proctor>;

export const RecordingSettings = z.object({
  width: z.number().int().min(160).max(3840).default(640),
  height: z.number().int().min(120).max(2160).default(360),
  frameRate: z.number().int().min(1).max(60).default(15),
  videoBitsPerSecond: z.number().int().min(50_000).max(8_000_000).default(300_000),
  audioBitsPerSecond: z.number().int().min(8_000).max(256_000).default(32_000),
  screenBitsPerSecond: z.number().int().min(50_000).max(8_000_000).default(300_000),
  /**
   * Upload limits the server enforces: one chunk, one recording (all segments) and one candidate
   * (all recordings). Without the last two they follow from the bitrates and the exam's length
   * (src/core/recording-budget.ts), so an honest exam never reaches them.
   */
  maxChunkBytes: z.number().int().min(64 * 1024).max(256 * 1024 * 1024).default(16 * 1024 * 1024),
  maxRecordingBytes: z.number().int().min(1024 * 1024).max(256 * 1024 ** 3).optional(),
  maxCandidateBytes: z.number().int().min(1024 * 1024).max(1024 ** 4).optional(),
  /** Recordings of one kind per candidate: each device makes one; a takeover or a shared PC another. */
  maxRecordingsPerKind: z.number().int().min(1).max(1000).default(8),
});

/**
 * Face match at login (R2; README "Face match"): biometric, so only after the candidate's
 * explicit consent, on the device, against the roster's reference photo.
 */
export const FaceMatchSettings = z.object({
  enabled: z.boolean().default(false),
  /** Similarity (Pearson correlation of the two face descriptors) at or above which it matches. */
  threshold: z.number().min(0).max(1).default(0.6),
  /**
   * Whether the server keeps the two face descriptors with the result. Off by default: the
   * server then keeps only the path, the similarity and the threshold (and refuses descriptors).
   */
  storeDescriptors: z.boolean().default(false),
});
export type FaceMatchSettings = z.infer<typeof FaceMatchSettings>;

/** Face checks on the device (R2, R9). */
export const FaceSettings = z.object({
  /** Frames analysed per second while monitoring presence in the exam. */
  monitorFps: z.number().min(0.2).max(10).default(2),
  match: FaceMatchSettings.default(FaceMatchSettings.parse({})),
});

export const IceServer = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

const ExamFields = z.object({
  id: Id,
  title: LocalizedText,
  helpLine: LocalizedText,
  timeline: Timeline,
  questions: z.array(Question).min(1),
  attachments: Attachments,
  rooms: z.array(Room).min(1),
  roster: z.array(Candidate).min(1),
  proctors: z.array(Proctor).default([]),
  recording: RecordingSettings.default(RecordingSettings.parse({})),
  face: FaceSettings.default(FaceSettings.parse({})),
  iceServers: z.array(IceServer).default([]),
  /**
   * `relay`: live-view links go only through the TURN servers above (the candidates' and
   * proctors' own addresses are never exchanged); `all`: direct where possible.
   */
  iceTransportPolicy: z.enum(['all', 'relay']).default('all'),
  retentionDays: z.number().int().min(1).max(3650).default(90),
  /**
   * How questions reach candidates (README, Questions). `at-start`: encrypted at entry, the key
   * only from the start time. `sealed-at-entry`: key and questions at entry, revealed by the
   * client at the server-time start — for links too unreliable even for the key at the start.
   */
  questionRelease: z.enum(['at-start', 'sealed-at-entry']).default('at-start'),
});

/**
 * One exam, as an administrator writes it in one JSON file. Cross-references are checked even
 * when other fields are wrong (`when`), so one run of `invigil import` names every problem; the
 * check therefore reads the value defensively.
 */
export const ExamConfig = ExamFields.superRefine((value, ctx) => crossCheck(value, ctx), {
  when: (payload) => typeof payload.value === 'object' && payload.value !== null,
});
export type ExamConfig = z.infer<typeof ExamConfig>;
/** What the file may omit (defaults filled in by parsing). */
export type ExamConfigInput = z.input<typeof ExamConfig>;

/** A roster entry as the server keeps it: the ticket code only as a keyed hash. */
export const StoredCandidate = Candidate.omit({ ticketCode: true }).extend({
  ticketCodeHash: z.string().regex(/^hmac-sha256:[0-9a-f]{64}$/),
});
export type StoredCandidate = z.infer<typeof StoredCandidate>;
/** An imported exam as stored (validated on import; read back with this). */
export const StoredExamConfig = ExamFields.extend({ roster: z.array(StoredCandidate).min(1) });
export type StoredExamConfig = z.infer<typeof StoredExamConfig>;

interface Loose {
  rooms?: unknown; roster?: unknown; proctors?: unknown; questions?: unknown;
  timeline?: { [k: string]: unknown };
}

const list = (x: unknown): Record<string, unknown>[] =>
  Array.isArray(x) ? x.map((v) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {})) : [];
const num = (x: unknown, fallback: number): number => (typeof x === 'number' ? x : fallback);

function crossCheck(exam: Loose, ctx: z.RefinementCtx): void {
  const rooms = new Set(list(exam.rooms).map((r) => r.id));
  for (const [key, what] of [['rooms', 'room id'], ['roster', 'candidate id'], ['proctors', 'proctor id'], ['questions', 'question id']] as const) {
    reportDuplicates(list(exam[key]).map((x) => x.id), key, what, ctx);
  }
  list(exam.roster).forEach((c, i) => {
    if (typeof c.room === 'string' && !rooms.has(c.room)) ctx.addIssue({ code: 'custom', path: ['roster', i, 'room'], message: `unknown room "${c.room}"` });
  });
  list(exam.proctors).forEach((p, i) => {
    (Array.isArray(p.rooms) ? p.rooms : []).forEach((room: unknown, j: number) => {
      if (typeof room === 'string' && !rooms.has(room)) ctx.addIssue({ code: 'custom', path: ['proctors', i, 'rooms', j], message: `unknown room "${room}"` });
    });
  });
  const t = exam.timeline ?? {};
  const login = num(t.loginOpensMinutesBefore, 30);
  const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: ['timeline', field], message });
  if (num(t.entryOpensMinutesBefore, 15) > login) issue('entryOpensMinutesBefore', 'entry cannot open before login opens');
  if (num(t.lotteryClosesMinutesBefore, 5) > login) issue('lotteryClosesMinutesBefore', 'the lottery cannot close before login opens');
  if (num(t.entryClosesMinutesAfter, 0) > num(t.readingMinutes, 10) + num(t.answeringMinutes, 5)) {
    issue('entryClosesMinutesAfter', 'entry must close before the exam ends');
  }
}

function reportDuplicates(ids: unknown[], key: string, what: string, ctx: z.RefinementCtx): void {
  const seen = new Set<unknown>();
  ids.forEach((id, i) => {
    if (typeof id === 'string' && seen.has(id)) ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `duplicate ${what} "${id}"` });
    seen.add(id);
  });
}
