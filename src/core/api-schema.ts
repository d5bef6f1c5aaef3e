import { z } from 'zod';
import { COMPARED_PATHS, IDENTITY_PATHS } from './face-match.js';
import { Id } from './exam-schema.js';
import { LocalizedText } from './localized.js';

/** Stable error codes: the client translates by code, the message is for logs and tools. */
export const ERROR_CODES = [
  'bad_request', 'not_found', 'unauthorized', 'forbidden', 'payload_too_large', 'conflict',
  'invalid_credentials', 'login_not_open', 'login_closed', 'already_logged_in', 'session_ended',
  'session_replaced', 'exam_ambiguous', 'exam_not_found', 'lottery_full', 'unsupported_media_type',
  'digest_required', 'digest_mismatch', 'recording_too_large', 'incomplete', 'chain_mismatch',
  'entry_not_open', 'entry_closed', 'lottery_required', 'attachments_required', 'not_entered',
  'too_early', 'face_match_off', 'consent_required', 'no_reference_photo', 'descriptors_not_stored', 'internal',
  'too_many_attempts', 'device_not_current', 'phone_replaced', 'binding_code_invalid', 'out_of_scope', 'exam_over', 'not_webm', 'quota_exceeded', 'rate_limited',
  'range_not_satisfiable', 'offset_mismatch',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const ApiErrorBody = z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.unknown().optional() });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const TimeReply = z.object({ now: z.number() });

/** A random id the device keeps, so that reopening the app is not a second login. */
export const DeviceId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a 16–64 character device id');

export const CandidateLoginRequest = z.object({
  examId: Id.optional(),
  candidateId: Id,
  ticketCode: z.string().min(1).max(64),
  deviceId: DeviceId,
  /** Sent only after the candidate confirmed ending the session on another device. */
  takeOver: z.boolean().default(false),
});
export type CandidateLoginRequest = z.input<typeof CandidateLoginRequest>;

export const ProctorLoginRequest = z.object({
  examId: Id,
  proctorId: Id,
  password: z.string().min(1).max(256),
  deviceId: DeviceId,
});
export type ProctorLoginRequest = z.input<typeof ProctorLoginRequest>;

export const SessionTokens = z.object({
  token: z.string(),
  tokenExpiresAt: z.number(),
  refreshToken: z.string(),
});
export type SessionTokens = z.infer<typeof SessionTokens>;

export const CandidateLoginReply = SessionTokens.extend({
  examId: Id,
  /** Scoped to this candidate's own recordings and events; lasts until retention ends. */
  uploadCredential: z.string(),
  uploadCredentialExpiresAt: z.number(),
});
export type CandidateLoginReply = z.infer<typeof CandidateLoginReply>;

export const RefreshRequest = z.object({ refreshToken: z.string().min(10).max(512) });

export const ExamTimes = z.object({
  loginOpensAt: z.number(), entryOpensAt: z.number(), lotteryClosesAt: z.number(), startAt: z.number(),
  entryClosesAt: z.number(), answeringAt: z.number(), endAt: z.number(), retentionEndsAt: z.number(),
});

export const ExamSummary = z.object({
  id: Id,
  title: LocalizedText,
  helpLine: LocalizedText,
  times: ExamTimes,
  /** The exam compares faces at login (R2): its step is counted from the first screen on. */
  faceMatch: z.boolean().default(false),
});
export type ExamSummary = z.infer<typeof ExamSummary>;

export const LotteryNumber = z.object({
  number: z.number().int().positive(),
  method: z.enum(['draw', 'auto']),
  assignedAt: z.number(),
});
export type LotteryNumber = z.infer<typeof LotteryNumber>;

export const DOCUMENTS = ['procedure', 'pledge', 'notice'] as const;
export type DocumentKind = (typeof DOCUMENTS)[number];
export const AcceptRequest = z.object({ document: z.enum(DOCUMENTS) });
/** Server time each exam document was accepted by the candidate, or null. */
export const Acceptances = z.object({ procedure: z.number().nullable(), pledge: z.number().nullable(), notice: z.number().nullable() });
export type Acceptances = z.infer<typeof Acceptances>;

export const Progress = z.object({
  enteredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  /** Extra answering time granted by a proctor, ms (moves this candidate's end). */
  extraMs: z.number().default(0),
  /** Who ended the exam early: the candidate, or a proctor for cause. */
  endedBy: z.enum(['candidate', 'proctor']).nullable().default(null),
});
export type ProgressReply = z.infer<typeof Progress>;

export const FaceMatchState = z.object({
  enabled: z.boolean(),
  threshold: z.number(),
  /** The server keeps the two face descriptors with the outcome (the consent screen says so). */
  storesDescriptors: z.boolean().default(false),
  /** The roster has a reference photo for this candidate. */
  hasReference: z.boolean(),
  /** Consent given or declined (server time), null before the candidate answered. */
  consent: z.object({ given: z.boolean(), at: z.number() }).nullable(),
  /** The identity path recorded, null until decided. */
  path: z.enum(IDENTITY_PATHS).nullable(),
});
export type FaceMatchState = z.infer<typeof FaceMatchState>;
export const FaceConsentRequest = z.object({ consent: z.boolean() });
const Descriptor = z.array(z.number()).min(64).max(2048);
/** What the device found; descriptors only when the exam stores them (else the server refuses them). */
export const FaceMatchReport = z.object({
  path: z.enum(COMPARED_PATHS),
  similarity: z.number().min(-1).max(1).nullable(),
  descriptors: z.object({ capture: Descriptor, reference: Descriptor }).optional(),
});
export type FaceMatchReport = z.infer<typeof FaceMatchReport>;

export const CandidateMe = z.object({
  candidate: z.object({ id: Id, name: z.string(), room: Id, roomName: z.string() }),
  exam: ExamSummary,
  lottery: LotteryNumber.nullable(),
  progress: Progress,
  accepted: Acceptances,
  /** The exam procedure, pledge and notice (R3, R6), from the exam configuration. */
  documents: z.object({ procedure: LocalizedText, pledge: LocalizedText, notice: LocalizedText }),
  questionRelease: z.enum(['at-start', 'sealed-at-entry']),
  face: z.object({
    monitorFps: z.number(),
    /** Face match at login (R2): off, or on with the roster photo present and the path taken so far. */
    match: FaceMatchState.default({ enabled: false, threshold: 1, storesDescriptors: false, hasReference: false, consent: null, path: null }),
  }),
  /** Capture settings from the exam configuration. */
  recording: z.object({
    width: z.number(), height: z.number(), frameRate: z.number(),
    videoBitsPerSecond: z.number(), audioBitsPerSecond: z.number(), screenBitsPerSecond: z.number(),
  }),
  /** ICE servers for the live view's peer links (exam configuration; none by default). */
  iceServers: z.array(z.object({ urls: z.union([z.string(), z.array(z.string())]), username: z.string().optional(), credential: z.string().optional() })).default([]),
  iceTransportPolicy: z.enum(['all', 'relay']).default('all'),
  serverNow: z.number(),
});
export type CandidateMe = z.infer<typeof CandidateMe>;

export const ProctorRoster = z.object({
  proctor: z.object({ id: Id, name: z.string() }),
  exam: ExamSummary,
  rooms: z.array(z.object({
    id: Id,
    name: z.string(),
    candidates: z.array(z.object({
      id: Id, name: z.string(), loggedIn: z.boolean(), lottery: LotteryNumber.nullable(),
      uploads: z.object({ recordings: z.number(), verified: z.number(), bytes: z.number(), problem: z.string().nullable() }),
    })),
  })),
});
export type ProctorRoster = z.infer<typeof ProctorRoster>;

/** What anyone may know about an exam before logging in: for the login page and its help line. */
export const PublicExam = ExamSummary;
export const PublicExams = z.object({ exams: z.array(PublicExam) });
export type PublicExam = z.infer<typeof PublicExam>;

/**
 * The exam's questions, AES-256-GCM encrypted (standard base64, RFC 4648 §4). `key` is present only from the start
 * time, or at entry when the exam is configured `sealed-at-entry`.
 */
export const SealedQuestions = z.object({
  examId: Id,
  iv: z.string(),
  ciphertext: z.string(),
  key: z.string().nullable(),
  startAt: z.number(),
});
export type SealedQuestions = z.infer<typeof SealedQuestions>;
export const QuestionKey = z.object({ key: z.string() });
/** What the ciphertext decrypts to. */
export const QuestionList = z.object({ questions: z.array(z.object({ id: Id, text: LocalizedText })).min(1) });
export type QuestionList = z.infer<typeof QuestionList>;
