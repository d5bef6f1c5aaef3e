import type { Acceptances, FaceMatchState } from './api-schema.js';
import { personalTimes, type CandidateProgress, type TimelineTimes } from './timeline.js';

/** The candidate's steps (R1–R10), in order. `missed`: the entry window closed without entry. */
export const STEPS = [
  'check', 'login', 'identity', 'procedure', 'evidence', 'lottery', 'pledge', 'notice', 'enter', 'devices', 'exam', 'upload', 'missed',
] as const;
export type Step = (typeof STEPS)[number];

/** Steps the candidate confirms on this device only (the server has nothing to decide there). */
export interface LocalAcks {
  /** R1 system check passed (or passed with warnings) on this device. */
  check: boolean;
  /** R4 evidence binding step passed. */
  evidence: boolean;
  /** R5 the candidate saw their number (or that it will be assigned). */
  lottery: boolean;
  /** R8 devices confirmed after entry. */
  devices: boolean;
  /** R2 the candidate saw the face-match outcome (or that the proctor checks identity live). */
  identity: boolean;
}
export const NO_ACKS: LocalAcks = { check: false, evidence: false, lottery: false, devices: false, identity: false };

/**
 * The face-match step is due: the exam uses it, the roster has a photo to compare with, and the
 * candidate has not yet answered the consent or seen the outcome.
 */
export function identityPending(match: FaceMatchState, acked: boolean): boolean {
  return match.enabled && match.hasReference && (match.path === null || !acked);
}

export interface FlowFacts {
  loggedIn: boolean;
  /** The exam uses face match and this candidate has neither consented nor declined nor a result. */
  identityPending: boolean;
  acks: LocalAcks;
  /** Server times of acceptance (R3, R6). */
  accepted: Acceptances;
  hasLotteryNumber: boolean;
  /** Entry and early end as the server recorded them. */
  progress: CandidateProgress;
  /** Ended early on this device: counts at once, even before the server heard of it. */
  localEndedAt: number | null;
}

/**
 * Where the candidate is, from what the server decided and what this device kept. A pure
 * function of its inputs, so a reload at any moment lands on the same step (invariant 4).
 */
export function flowStep(f: FlowFacts, times: TimelineTimes, now: number): Step {
  if (!f.loggedIn) return f.acks.check ? 'login' : 'check';
  if (f.progress.enteredAt !== null) {
    if (f.progress.endedAt !== null || f.localEndedAt !== null || now >= personalTimes(times, f.progress).endAt) return 'upload';
    if (!f.acks.devices && now < times.startAt) return 'devices';
    return 'exam';
  }
  if (now >= times.entryClosesAt) return 'missed';
  if (f.identityPending) return 'identity';
  if (f.accepted.procedure === null) return 'procedure';
  if (!f.acks.evidence) return 'evidence';
  if (!f.acks.lottery || (!f.hasLotteryNumber && now < times.lotteryClosesAt)) return 'lottery';
  if (f.accepted.pledge === null) return 'pledge';
  if (f.accepted.notice === null) return 'notice';
  return 'enter';
}

/** The steps shown in the progress bar, with the R-number they implement. */
export const VISIBLE_STEPS: readonly { step: Step; r: string }[] = [
  { step: 'check', r: 'R1' }, { step: 'login', r: 'R2' }, { step: 'identity', r: 'R2' }, { step: 'procedure', r: 'R3' },
  { step: 'evidence', r: 'R4' }, { step: 'lottery', r: 'R5' }, { step: 'pledge', r: 'R6' },
  { step: 'notice', r: 'R6' }, { step: 'enter', r: 'R7' }, { step: 'devices', r: 'R8' },
  { step: 'exam', r: 'R9' }, { step: 'upload', r: 'R10' },
];

/** The progress bar's steps for this candidate: face match only where the exam uses it. */
export function visibleSteps(faceMatch: boolean): readonly { step: Step; r: string }[] {
  return faceMatch ? VISIBLE_STEPS : VISIBLE_STEPS.filter((s) => s.step !== 'identity');
}

export type ExamStage = 'waiting' | 'reading' | 'answering' | 'over';

/** Inside the exam step: waiting for the start, reading, answering (never early), or over. */
export function examStage(times: TimelineTimes, now: number): { stage: ExamStage; until: number } {
  if (now < times.startAt) return { stage: 'waiting', until: times.startAt };
  if (now < times.answeringAt) return { stage: 'reading', until: times.answeringAt };
  if (now < times.endAt) return { stage: 'answering', until: times.endAt };
  return { stage: 'over', until: times.endAt };
}
