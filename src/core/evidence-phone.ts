import { z } from 'zod';
import { CandidateMe, ExamSummary, Progress, SessionTokens } from './api-schema.js';
import { Id, RecordingSettings } from './exam-schema.js';
import { RecordingId } from './recording-schema.js';

/**
 * The evidence phone (R4, R10): one-time binding codes, what a bound phone reports, and the
 * status the laptop and the proctor see. Pure: shared by the server, the laptop and the phone.
 */

/** 32 symbols without 0/O and 1/I: read off a laptop screen and typed on a phone without doubt. */
export const BINDING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 8 symbols = 40 bits: with 100,000 live codes and 600 wrong guesses a minute allowed in all, 10 minutes of guessing finds one with p ≈ 5·10⁻⁴. */
export const BINDING_CODE_LENGTH = 8;
export const BINDING_CODE_TTL_MS = 10 * 60_000;

/** What the candidate typed (any case, spaces, dashes) as a code, or null if it cannot be one. */
export function normalizeBindingCode(raw: string): string | null {
  const code = raw.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== BINDING_CODE_LENGTH) return null;
  for (const ch of code) if (!BINDING_ALPHABET.includes(ch)) return null;
  return code;
}

/** `ABCD-EFGH`: how a code is shown. */
export function formatBindingCode(code: string): string {
  return code.length === BINDING_CODE_LENGTH ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

/** The phone page's address with a code in it (what the QR code holds). */
export function phoneUrl(origin: string, code: string): string {
  return `${origin}/#/evidence/${code}`;
}

export const BindingCodeReply = z.object({ code: z.string(), expiresAt: z.number() });
export type BindingCodeReply = z.infer<typeof BindingCodeReply>;

export const BindRequest = z.object({ code: z.string().min(1).max(40), deviceId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });
export const BindReply = SessionTokens.extend({
  examId: Id,
  candidateId: Id,
  uploadCredential: z.string(),
  uploadCredentialExpiresAt: z.number(),
});
export type BindReply = z.infer<typeof BindReply>;

/** What a phone does now, as it reports it. */
export const PHONE_STATES = ['bound', 'scanning', 'framing', 'recording', 'paused', 'uploading', 'done'] as const;
export type PhoneState = (typeof PHONE_STATES)[number];

export const PhoneReport = z.object({
  state: z.enum(PHONE_STATES),
  /** The 360° scan: share of directions covered (0–1) and whether a compass measured it. */
  scan: z.object({ coverage: z.number().min(0).max(1), measured: z.boolean() }).nullable(),
  battery: z.object({ level: z.number().min(0).max(1), charging: z.boolean() }).nullable(),
  /** Bytes recorded on the phone so far (all segments). */
  recordedBytes: z.number().int().nonnegative(),
  /** The same per recording (a reviewer's completeness); absent from phones loaded before it was asked. */
  recordings: z.array(z.object({ id: RecordingId, bytes: z.number().int().nonnegative() })).max(100).optional(),
  /** The page is visible and the wake lock is held. */
  awake: z.boolean(),
});
export type PhoneReport = z.infer<typeof PhoneReport>;

/** The candidate's phone as the laptop and the proctor see it. */
export const PhoneStatus = z.object({
  state: z.enum(PHONE_STATES),
  boundAt: z.number(),
  lastHeardAt: z.number(),
  /** Heard within the last 30 s. */
  online: z.boolean(),
  report: PhoneReport.nullable(),
  /** Evidence bytes the server holds (each checked by digest) and whether every recording is verified. */
  heldBytes: z.number(),
  verified: z.boolean(),
  /** Phones replaced by a later binding so far. */
  replaced: z.number(),
  /** Not verified an hour after the candidate's end (R10's limit): the proctor must follow it up. */
  overdue: z.boolean(),
});
export type PhoneStatus = z.infer<typeof PhoneStatus>;
export const PHONE_HEARD_MS = 30_000;

/** What the phone page needs: whose evidence it records and until when. */
export const PhoneMe = z.object({
  exam: ExamSummary,
  candidate: z.object({ id: Id, name: z.string() }),
  progress: Progress,
  recording: RecordingSettings,
  /** The seed's limit for the phone's upload after the end (R10), minutes. */
  uploadLimitMinutes: z.number(),
  /** For the live view to a proctor who asks for it (the same peer links as the laptop's). */
  iceServers: CandidateMe.shape.iceServers,
  iceTransportPolicy: CandidateMe.shape.iceTransportPolicy,
  serverNow: z.number(),
});
export type PhoneMe = z.infer<typeof PhoneMe>;

/** The reply to a phone's status report: the candidate's progress now (extra time, an early end). */
export const PhoneStatusReply = z.object({ progress: Progress, serverNow: z.number() });
export type PhoneStatusReply = z.infer<typeof PhoneStatusReply>;

/** What the phone shows: bind → choose camera → 360° scan → fix the phone → recording → upload. */
export const PHONE_PHASES = ['bind', 'camera', 'scan', 'framing', 'recording', 'upload'] as const;
export type PhonePhase = (typeof PHONE_PHASES)[number];

export interface PhoneFacts {
  bound: boolean;
  cameraChosen: boolean;
  scanned: boolean;
  fixed: boolean;
  /** Stopped by hand, or the candidate's exam is over (their end, early end or extra time included). */
  stopped: boolean;
}

/** A pure function of what the phone knows: the same after a reload. */
export function phonePhase(f: PhoneFacts): PhonePhase {
  if (!f.bound) return 'bind';
  if (f.stopped) return 'upload';
  if (!f.cameraChosen) return 'camera';
  if (!f.scanned) return 'scan';
  if (!f.fixed) return 'framing';
  return 'recording';
}

/**
 * Battery: whether the level lasts until the end, assuming a phone drains about 15 %/hour while
 * filming 360p with the screen on (an assumption from typical phones, not measured here: this
 * machine has no battery). Charging always lasts; 5 % is kept in reserve.
 */
export const RECORDING_DRAIN_PER_HOUR = 0.15;
export function batteryLasts(battery: { level: number; charging: boolean } | null, msLeft: number): boolean | null {
  if (!battery) return null;
  if (battery.charging) return true;
  return battery.level - (msLeft / 3_600_000) * RECORDING_DRAIN_PER_HOUR >= 0.05;
}
