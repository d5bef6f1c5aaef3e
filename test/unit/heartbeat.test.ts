import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beatWith, type SentState } from '../../src/core/heartbeat.js';
import { HEARTBEAT_BYTES_MS, HEARTBEAT_MS, type DeviceState } from '../../src/core/ws-schema.js';

const state = (bytes: number, over: Partial<DeviceState> = {}): DeviceState => ({
  step: 'exam', recording: true, watchedBy: 0,
  recordings: [{ id: '6f1c2d9e-1111-4222-8333-944455556666', kind: 'camera', bytes }, { id: '7a2b3c4d-1111-4222-8333-944455556666', kind: 'screen', bytes }],
  ...over,
});

/** Beats every 3 s for `ms`, the state given by `at`; returns which beats carried the state. */
function beats(ms: number, at: (t: number) => DeviceState, from: SentState | null = null): { carried: number[]; sent: SentState | null } {
  let sent = from;
  const carried: number[] = [];
  for (let t = 0; t < ms; t += HEARTBEAT_MS) {
    const b = beatWith(at(t), sent, t);
    if (b.state) {
      assert.deepEqual(b.state, at(t), 'a beat with a state carries all of it');
      carried.push(t);
    }
    sent = b.sent;
  }
  return { carried, sent };
}

test('a heartbeat carries the state first, then only when it changes; the growing byte counts every half minute', () => {
  const { carried } = beats(90_000, (t) => state(t * 40));
  assert.deepEqual(carried, [0, HEARTBEAT_BYTES_MS, 2 * HEARTBEAT_BYTES_MS]);
});

test('a change of step, of recording, of recordings or of watchers is carried at once', () => {
  const at = (t: number) => state(0, {
    step: t < 9_000 ? 'enter' : 'exam', recording: t >= 15_000, watchedBy: t >= 21_000 ? 1 : 0,
    ...(t >= 27_000 ? { recordings: [{ id: 'other', kind: 'camera', bytes: 0 }] } : {}),
  });
  assert.deepEqual(beats(33_000, at).carried, [0, 9_000, 15_000, 21_000, 27_000]);
});

test('a new socket (no state sent on it yet) gets the state with its first beat', () => {
  const first = beats(9_000, () => state(1));
  assert.deepEqual(first.carried, [0]);
  assert.deepEqual(beats(3_000, () => state(1), null).carried, [0], 'reset on ready');
  assert.deepEqual(beats(3_000, () => state(1), first.sent).carried, [], 'same socket: bare');
});
