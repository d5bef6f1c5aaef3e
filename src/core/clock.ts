/**
 * Server-clock math. Time comes in as numbers: `mono` is a monotonic clock (performance.now),
 * `wall` the device clock (Date.now), `server` the server's epoch ms. The device clock is used
 * only to carry a sync across a reload; within a page only the monotonic clock counts, so moving
 * the device clock changes nothing.
 */

/** One round trip to GET /api/time. */
export interface ClockSample {
  monoSent: number;
  monoReceived: number;
  wallReceived: number;
  server: number;
}

/** The best estimate so far: at monotonic time `monoAnchor` the server read `serverAnchor`. */
export interface ClockSync {
  serverAnchor: number;
  monoAnchor: number;
  wallAnchor: number;
  /** Round trip of the sample behind this estimate; its error is at most half of it. */
  rtt: number;
  /** Extra error from carrying the estimate across a reload on the device clock. */
  carriedError: number;
  /**
   * Carried across a reload on the device clock, which may have been moved meanwhile (by any
   * amount): any real sample replaces it, whatever its round trip.
   */
  carried?: boolean;
}

/** Quartz clocks drift up to ~100 ppm; an old estimate grows that uncertain. */
export const DRIFT_PER_MS = 100e-6;

export function syncFromSample(s: ClockSample): ClockSync {
  const rtt = Math.max(0, s.monoReceived - s.monoSent);
  return { serverAnchor: s.server + rtt / 2, monoAnchor: s.monoReceived, wallAnchor: s.wallReceived, rtt, carriedError: 0 };
}

/** How far off the estimate may be at monotonic time `monoNow`. */
export function uncertainty(sync: ClockSync, monoNow: number): number {
  return sync.rtt / 2 + sync.carriedError + Math.abs(monoNow - sync.monoAnchor) * DRIFT_PER_MS;
}

/** Keeps whichever estimate is tighter now: usually the lowest-RTT sample, unless it has aged. */
export function addSample(current: ClockSync | null, sample: ClockSample): ClockSync {
  const next = syncFromSample(sample);
  if (!current || current.carried) return next;
  return uncertainty(next, sample.monoReceived) <= uncertainty(current, sample.monoReceived) ? next : current;
}

/** Server time now, carried on by the monotonic clock (works offline). */
export function serverNow(sync: ClockSync, monoNow: number): number {
  return sync.serverAnchor + (monoNow - sync.monoAnchor);
}

/**
 * A stored sync carried into a new page (the monotonic clock restarted): re-anchored on the
 * device clock. A device-clock change while the app was closed cannot be seen here; the next
 * sample replaces this estimate.
 */
export function carryAcrossReload(stored: ClockSync, wallNow: number, monoNow: number): ClockSync {
  const elapsed = wallNow - stored.wallAnchor;
  return {
    serverAnchor: stored.serverAnchor + elapsed,
    monoAnchor: monoNow,
    wallAnchor: wallNow,
    rtt: stored.rtt,
    carriedError: stored.carriedError + Math.abs(elapsed) * DRIFT_PER_MS,
    carried: true,
  };
}
