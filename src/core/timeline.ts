import type { Timeline } from './exam-schema.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Every boundary of an exam, in server epoch milliseconds. */
export interface TimelineTimes {
  loginOpensAt: number;
  entryOpensAt: number;
  lotteryClosesAt: number;
  startAt: number;
  entryClosesAt: number;
  answeringAt: number;
  endAt: number;
  retentionEndsAt: number;
}

export function timelineTimes(t: Timeline, retentionDays: number): TimelineTimes {
  const startAt = Date.parse(t.start);
  const answeringAt = startAt + t.readingMinutes * MINUTE;
  const endAt = answeringAt + t.answeringMinutes * MINUTE;
  return {
    loginOpensAt: startAt - t.loginOpensMinutesBefore * MINUTE,
    entryOpensAt: startAt - t.entryOpensMinutesBefore * MINUTE,
    lotteryClosesAt: startAt - t.lotteryClosesMinutesBefore * MINUTE,
    startAt,
    entryClosesAt: startAt + t.entryClosesMinutesAfter * MINUTE,
    answeringAt,
    endAt,
    retentionEndsAt: endAt + retentionDays * DAY,
  };
}

/** Where one candidate stands, as the server recorded it. */
export interface CandidateProgress {
  /** Server time the candidate entered the exam, or null. */
  enteredAt: number | null;
  /** Server time the exam ended early for this candidate (by them, or by a proctor for cause), or null. */
  endedAt: number | null;
  /** Extra answering time the proctors granted this candidate (e.g. for an outage), ms. */
  extraMs?: number;
}
export const NO_PROGRESS: CandidateProgress = { enteredAt: null, endedAt: null };

/** One candidate's own timeline: extra time moves only the end of answering. */
export function personalTimes(times: TimelineTimes, progress: CandidateProgress): TimelineTimes {
  const extra = progress.extraMs ?? 0;
  return extra > 0 ? { ...times, endAt: times.endAt + extra } : times;
}

export const PHASES = ['scheduled', 'open', 'reading', 'answering', 'ended', 'closed'] as const;
/**
 * scheduled: login not open yet · open: login, lottery and entry happen · reading / answering:
 * the exam runs · ended: over (for everyone, or for this candidate) · closed: retention is over.
 */
export type Phase = (typeof PHASES)[number];

export interface Allowed {
  login: boolean;
  lottery: boolean;
  entry: boolean;
  reading: boolean;
  answering: boolean;
  upload: boolean;
}

export interface TimelineState {
  phase: Phase;
  allowed: Allowed;
  /** Milliseconds until the current phase ends (0 when it never ends). */
  msLeft: number;
  /** The next boundary after `now` at which anything here changes, or null. */
  nextChangeAt: number | null;
}

/** What is true at server time `now` for a candidate with `progress`. A pure function. */
export function timelineAt(times: TimelineTimes, now: number, progress: CandidateProgress = NO_PROGRESS): TimelineState {
  const endedEarly = progress.endedAt !== null && progress.endedAt <= now;
  const entered = progress.enteredAt !== null && progress.enteredAt <= now;
  const running = entered && !endedEarly;
  const allowed: Allowed = {
    login: within(now, times.loginOpensAt, times.startAt),
    lottery: within(now, times.loginOpensAt, times.lotteryClosesAt),
    entry: !endedEarly && within(now, times.entryOpensAt, times.entryClosesAt),
    reading: running && within(now, times.startAt, times.answeringAt),
    answering: running && within(now, times.answeringAt, times.endAt),
    upload: entered && now < times.retentionEndsAt,
  };
  const phase = phaseAt(times, now, endedEarly);
  return { phase, allowed, msLeft: Math.max(0, phaseEnd(times, phase) - now), nextChangeAt: nextBoundary(times, now) };
}

function phaseAt(times: TimelineTimes, now: number, endedEarly: boolean): Phase {
  if (now >= times.retentionEndsAt) return 'closed';
  if (endedEarly || now >= times.endAt) return 'ended';
  if (now >= times.answeringAt) return 'answering';
  if (now >= times.startAt) return 'reading';
  if (now >= times.loginOpensAt) return 'open';
  return 'scheduled';
}

function phaseEnd(times: TimelineTimes, phase: Phase): number {
  switch (phase) {
    case 'scheduled': return times.loginOpensAt;
    case 'open': return times.startAt;
    case 'reading': return times.answeringAt;
    case 'answering': return times.endAt;
    case 'ended': return times.retentionEndsAt;
    case 'closed': return 0;
  }
}

function nextBoundary(times: TimelineTimes, now: number): number | null {
  const later = (Object.values(times) as number[]).filter((t) => t > now);
  return later.length ? Math.min(...later) : null;
}

function within(now: number, from: number, until: number): boolean {
  return now >= from && now < until;
}
