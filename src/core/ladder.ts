/**
 * The live view's bandwidth ladder, per peer link, decided on the candidate's side from the
 * sender's own statistics. From the top: `high` (one tile a proctor asked for: ≈ 360p at
 * 500 kbit/s), `video` (≈ 180p at ≤ 150 kbit/s), `thumbnail` (a still JPEG every few seconds over
 * the data channel), `events` (no media: the proctor still sees status, flags and chat, which go
 * over the server). A pure function of the samples, tested in Node.
 */
export const RUNGS = ['high', 'video', 'thumbnail', 'events'] as const;
export type Rung = (typeof RUNGS)[number];

/** What the sender measured over the last interval; null where it could not tell. */
export interface LinkSample {
  /** Server-independent monotonic time of the sample, ms. */
  at: number;
  /** ICE is connected (consent checks answered). */
  connected: boolean;
  /** Packets lost on the way out, percent (RTP receiver reports, or unanswered consent checks). */
  lossPct: number | null;
  /** Round trip, ms. */
  rttMs: number | null;
  /** The congestion controller's estimate of what the link carries now, kbit/s. */
  availableKbps: number | null;
}

export interface LadderState {
  rung: Rung;
  /** When this rung began (sample time). */
  since: number;
  /** Consecutive samples too poor for this rung, and good enough for the one above. */
  bad: number;
  good: number;
  /** How long to stay before the next step up: doubles after each climb that failed soon. */
  holdMs: number;
  /** When the last step up happened, while it is still on trial. */
  climbedAt: number | null;
  /** When the last step down happened (a lowered wish is one). */
  downAt: number | null;
}

/** Samples in a row before stepping down (quick) or up (slower: a link that just recovered may falter). */
export const DOWN_AFTER = 2;
export const UP_AFTER = 3;
/** At least this long on a rung before stepping up again. */
export const HOLD_MS = 8_000;
/**
 * A climb that falls back within this long failed: the next wait doubles (to at most MAX_HOLD_MS),
 * so a link that carries thumbnails but not video does not flap between the two every few
 * seconds. A climb that holds this long resets the wait.
 */
export const TRIAL_MS = 20_000;
export const MAX_HOLD_MS = 120_000;
/**
 * After a step down the uplink still holds what the rung above queued — on a congested link,
 * seconds of video — and the first samples on the new rung measure that queue draining, not the
 * rung (seen through a TURN relay over TCP at 20 kbit/s: the first thumbnails' acknowledgements
 * came after 5 s, and the ladder fell on to events only, where no picture comes until a new link
 * is up). For this long after a step down only a lost connection counts as a bad sample.
 */
export const SETTLE_MS = 8_000;

/** What each rung needs to hold: at most this loss and round trip, at least this estimate. */
const NEEDS: Record<Rung, { lossPct: number; rttMs: number; availableKbps: number }> = {
  high: { lossPct: 5, rttMs: 800, availableKbps: 450 },
  video: { lossPct: 8, rttMs: 1200, availableKbps: 100 },
  thumbnail: { lossPct: 30, rttMs: 4000, availableKbps: 0 },
  events: { lossPct: 100, rttMs: Infinity, availableKbps: 0 },
};

/** Good enough to step up *to* a rung: a margin over what holding it needs. */
const ENTRY: Record<Rung, { lossPct: number; rttMs: number; availableKbps: number }> = {
  high: { lossPct: 2, rttMs: 500, availableKbps: 600 },
  video: { lossPct: 3, rttMs: 800, availableKbps: 200 },
  thumbnail: { lossPct: 10, rttMs: 2000, availableKbps: 0 },
  events: { lossPct: 100, rttMs: Infinity, availableKbps: 0 },
};

export function startLadder(at: number, top: Rung = 'video'): LadderState {
  return { rung: top, since: at, bad: 0, good: 0, holdMs: HOLD_MS, climbedAt: null, downAt: null };
}

const fits = (s: LinkSample, need: { lossPct: number; rttMs: number; availableKbps: number }) =>
  s.connected && (s.lossPct ?? 0) <= need.lossPct && (s.rttMs ?? 0) <= need.rttMs && (s.availableKbps === null || s.availableKbps >= need.availableKbps);

/**
 * A proctor changed the wish: a lowered one (high → low) is followed at once; a raised one is
 * climbed to as the link's samples allow. No sample is made up for it: an invented good one
 * would count towards a climb and wipe the bad ones a failing link had already given.
 */
export function withTop(state: LadderState, top: Rung, at: number): LadderState {
  return RUNGS.indexOf(state.rung) < RUNGS.indexOf(top) ? { ...state, rung: top, since: at, bad: 0, good: 0, climbedAt: null, downAt: at } : state;
}

/** The next state after one sample. `top`: the highest rung wanted (`high` only when a proctor asked). */
export function stepLadder(prev: LadderState, s: LinkSample, top: Rung = 'video'): LadderState {
  // A climb that held through its trial succeeded: back to the short wait.
  const held = prev.climbedAt !== null && s.at - prev.climbedAt >= TRIAL_MS ? { ...prev, holdMs: HOLD_MS, climbedAt: null } : prev;
  const state = withTop(held, top, s.at);
  if (state !== held) return state;
  const index = RUNGS.indexOf(state.rung);
  const topIndex = RUNGS.indexOf(top);
  const below = RUNGS[index + 1];
  const above = index > topIndex ? RUNGS[index - 1] : undefined;
  const settling = state.downAt !== null && s.at - state.downAt < SETTLE_MS;
  const bad = below && !fits(s, NEEDS[state.rung]) && (!settling || !s.connected) ? state.bad + 1 : 0;
  if (below && bad >= DOWN_AFTER) {
    const failedClimb = state.climbedAt !== null;
    return { rung: below, since: s.at, bad: 0, good: 0, holdMs: failedClimb ? Math.min(MAX_HOLD_MS, state.holdMs * 2) : state.holdMs, climbedAt: null, downAt: s.at };
  }
  const good = above && fits(s, ENTRY[above]) ? state.good + 1 : 0;
  if (above && good >= UP_AFTER && s.at - state.since >= state.holdMs) return { ...state, rung: above, since: s.at, bad: 0, good: 0, climbedAt: s.at };
  return { ...state, bad, good };
}

/** Sender limits per rung: what the live (cloned) camera track is sent at. */
export const RUNG_VIDEO: Record<'high' | 'video', { maxBitrate: number; height: number; maxFramerate: number }> = {
  high: { maxBitrate: 500_000, height: 360, maxFramerate: 15 },
  video: { maxBitrate: 150_000, height: 180, maxFramerate: 5 },
};

/** A thumbnail on the `thumbnail` rung: width in pixels, JPEG quality, every this many ms. */
export const THUMBNAIL = { width: 160, quality: 0.5, everyMs: 4_000 } as const;
