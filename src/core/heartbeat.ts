import { HEARTBEAT_BYTES_MS, type DeviceState } from './ws-schema.js';

/** What the last heartbeat with a state said (its state without the byte counts), and when. */
export interface SentState { shape: string; at: number }

/**
 * Whether this heartbeat carries the device's state: first on a socket (`last` null), whenever
 * anything but the recorded byte counts changed, and at least every half minute for the counts;
 * otherwise the beat is bare (presence only — a few bytes on a poor link).
 */
export function beatWith(state: DeviceState, last: SentState | null, now: number): { state?: DeviceState; sent: SentState | null } {
  const shape = JSON.stringify({ ...state, recordings: state.recordings.map((r) => [r.id, r.kind]) });
  if (last && last.shape === shape && now - last.at < HEARTBEAT_BYTES_MS) return { sent: last };
  return { state, sent: { shape, at: now } };
}
