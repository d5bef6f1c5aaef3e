import { z } from 'zod';
import { CandidateMe, SealedQuestions } from './api-schema.js';

/** What the device keeps between visits; read back through these schemas, never trusted raw. */
export const StoredSession = z.object({
  role: z.enum(['candidate', 'proctor', 'phone']),
  examId: z.string(),
  token: z.string(),
  tokenExpiresAt: z.number(),
  refreshToken: z.string(),
});
export type StoredSession = z.infer<typeof StoredSession>;

/**
 * The device upload credential: kept apart from the session, so that logging out, a takeover or
 * an expired session never strands evidence recorded on this device.
 */
export const StoredUploadCredential = z.object({ examId: z.string(), token: z.string(), expiresAt: z.number() });
export type StoredUploadCredential = z.infer<typeof StoredUploadCredential>;

/**
 * Upload credentials per (exam, candidate): on a shared PC every candidate's recordings and
 * outbox items go up with their own candidate's credential, whoever is logged in now.
 */
export const StoredUploadCredentials = z.record(z.string(), StoredUploadCredential.extend({ candidateId: z.string() }));
export type StoredUploadCredentials = z.infer<typeof StoredUploadCredentials>;

export const StoredClock = z.object({
  serverAnchor: z.number(), monoAnchor: z.number(), wallAnchor: z.number(), rtt: z.number(), carriedError: z.number(),
  carried: z.boolean().optional(),
});

/** The recording sets of the exam this device is sitting, kept so a reload continues them. */
export const StoredExamRecordings = z.object({
  examId: z.string(),
  candidateId: z.string(),
  ids: z.object({ camera: z.string(), screen: z.string() }),
});
export type StoredExamRecordings = z.infer<typeof StoredExamRecordings>;

/** The evidence phone's own progress (R4): kept so a reload continues where it was, as a new segment. */
export const StoredPhone = z.object({
  examId: z.string(),
  candidateId: z.string(),
  recordingId: z.string(),
  facing: z.enum(['environment', 'user']).nullable(),
  scan: z.object({ coverage: z.number(), measured: z.boolean() }).nullable(),
  fixedAt: z.number().nullable(),
  stoppedAt: z.number().nullable(),
  /** The last /api/phone/me reply, for a reload without network. */
  me: z.unknown(),
});
export type StoredPhone = z.infer<typeof StoredPhone>;

/** The last /me reply with the server time it was fetched at, for an offline reload. */
export const StoredSnapshot = z.object({ me: CandidateMe, savedAt: z.number() });
export type StoredSnapshot = z.infer<typeof StoredSnapshot>;

/** A recording set on the device: one per kind per exam, with one segment per recorder run. */
export const LocalRecording = z.object({
  id: z.string(),
  examId: z.string(),
  candidateId: z.string(),
  kind: z.enum(['camera', 'screen', 'evidence']),
  mimeType: z.string(),
  createdAt: z.number(),
  /** recording → stopped (the exam ended for it) → verified (the server re-derived the chain). */
  state: z.enum(['recording', 'stopped', 'verified']),
  segments: z.array(z.object({
    segment: z.number().int(), startedAt: z.number(), mimeType: z.string(), chunks: z.number().int(),
    /** The video bitrate this run was asked for (lower after a full disk). */
    videoBitsPerSecond: z.number().optional(),
  })),
  /** Hex head of the hash chain over every chunk stored so far. */
  chainHead: z.string(),
  bytes: z.number(),
  /** Bytes of chunks the server has acknowledged (kept as chunks are acknowledged). */
  uploadedBytes: z.number().default(0),
  verifiedAt: z.number().nullable(),
  /** A chunk the server refused for good: shown to the candidate and proctor, never dropped. */
  problem: z.string().nullable(),
});
export type LocalRecording = z.infer<typeof LocalRecording>;

/** What this device decided in the flow (steps the server does not decide), per exam. */
export const StoredFlow = z.object({
  examId: z.string(),
  candidateId: z.string(),
  acks: z.object({ check: z.boolean(), evidence: z.boolean(), lottery: z.boolean(), devices: z.boolean(), identity: z.boolean().default(false) }),
  /** Server time of an early end on this device (it may not have reached the server yet). */
  localEndedAt: z.number().nullable(),
  /** Devices chosen at R8, used again after a reload. */
  camera: z.string().optional(),
  microphone: z.string().optional(),
});
export type StoredFlow = z.infer<typeof StoredFlow>;

/** R1 passed on this device (before login; not tied to an exam). */
export const StoredSystemCheck = z.object({ passedAt: z.number() });

/** The encrypted questions received at entry, and the key once released. */
export const StoredQuestions = z.object({ sealed: SealedQuestions, key: z.string().nullable() });
export type StoredQuestions = z.infer<typeof StoredQuestions>;
