import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionsOf, othersOf, PresenceTracker, type PresenceSample } from '../../src/core/presence.js';

const face = { box: [250, 80, 350, 160] as [number, number, number, number], score: 0.9 };
let n = 0;
/** A frame at `at` ms; the thumbnail changes a little every frame, as a live camera's does. */
const frame = (at: number, over: Partial<PresenceSample> = {}): PresenceSample => ({
  at, width: 640, height: 480, faces: [face], light: { mean: 120, std: 50 }, thumb: [n++ % 7, 3, 5], ...over,
});
/** Feeds frames at 2 fps from `from` to `to` and returns every change. */
function run(t: PresenceTracker, from: number, to: number, over: Partial<PresenceSample> = {}) {
  const out = [];
  for (let at = from; at <= to; at += 500) out.push(...t.push(frame(at, over)));
  return out.map((c) => `${c.state} ${c.flag} (${c.kind}) @${c.at}`);
}

test('conditions of one frame: dark wins over faces; none, several, at the edge', () => {
  assert.deepEqual([...conditionsOf(frame(0))], []);
  assert.deepEqual([...conditionsOf(frame(0, { light: { mean: 20, std: 30 }, faces: [] }))], ['camera-dark']);
  assert.deepEqual([...conditionsOf(frame(0, { light: { mean: 120, std: 3 } }))], ['camera-dark'], 'covered: flat');
  assert.deepEqual([...conditionsOf(frame(0, { faces: [] }))], ['no-face']);
  assert.deepEqual([...conditionsOf(frame(0, { faces: [face, { ...face, box: [400, 80, 500, 160] }] }))], ['several-faces']);
  assert.deepEqual([...conditionsOf(frame(0, { faces: [{ ...face, box: [2, 80, 100, 160] }] }))], ['face-leaving']);
  assert.deepEqual([...conditionsOf(frame(0, { faces: [{ ...face, score: 0.5 }] }))], ['no-face']);
});

test('the wide check: a face only it found is someone else; its copy of the candidate\'s face is not', () => {
  // The candidate's face as the wide detector boxes it (a little offset from the short-range box).
  const same = { box: [255, 85, 345, 165] as [number, number, number, number], score: 0.8 };
  const behind = { box: [520, 60, 560, 100] as [number, number, number, number], score: 0.8 };
  const part = { box: [525, 58, 548, 82] as [number, number, number, number], score: 0.8 };
  assert.deepEqual(othersOf([same, behind], [face]), [behind], 'the candidate is placed by the short-range check');
  assert.deepEqual(othersOf([behind, part], [face]), [behind], 'a part of one face, boxed again from a tile: one face');
  assert.deepEqual(othersOf([same, behind], []), [behind], 'nobody near: the largest far face is taken for the candidate');
  assert.deepEqual(othersOf([same], [{ ...face, score: 0.5 }]), [], 'a weak near face does not place the candidate');
  assert.deepEqual([...conditionsOf(frame(0, { others: [] }))], [], 'the candidate alone');
  assert.deepEqual([...conditionsOf(frame(0, { others: [behind] }))], ['several-faces'], 'someone further back');
  assert.deepEqual([...conditionsOf(frame(0, { others: [same] }))], [], 'a carried face where the candidate is now: the candidate');
  assert.deepEqual([...conditionsOf(frame(0, { faces: [], others: [behind] }))], ['no-face'], 'the candidate gone: the short-range check says so');
  assert.deepEqual([...conditionsOf(frame(0, { faces: [], others: [behind, { ...behind, box: [100, 60, 140, 100] }] }))], ['no-face', 'several-faces']);
  assert.deepEqual([...conditionsOf(frame(0, { light: { mean: 20, std: 30 }, others: [behind] }))], ['camera-dark'], 'dark wins');
});

test('someone further back for 3 s raises "several faces"; gone for 1 s clears it', () => {
  const t = new PresenceTracker();
  const behind = { box: [520, 60, 560, 100] as [number, number, number, number], score: 0.8 };
  assert.deepEqual(run(t, 0, 2_000, { others: [] }), []);
  assert.deepEqual(run(t, 2_500, 6_000, { others: [behind] }), ['raised several-faces (suspicious) @2500']);
  assert.deepEqual(run(t, 6_500, 8_000, { others: [] }), ['cleared several-faces (suspicious) @6500']);
});

test('the face leaves: "no face" raised after 3 s (dated from when it left), cleared 1 s after it is back', () => {
  const t = new PresenceTracker();
  assert.deepEqual(run(t, 0, 5_000), []);
  assert.deepEqual(run(t, 5_500, 7_500, { faces: [] }), [], 'under 3 s: nothing');
  assert.deepEqual(run(t, 8_000, 9_000, { faces: [] }), ['raised no-face (suspicious) @5500']);
  assert.deepEqual(run(t, 9_500, 10_000), []);
  assert.deepEqual(run(t, 10_500, 11_000), ['cleared no-face (suspicious) @9500']);
});

test('a brief gap does not raise anything', () => {
  const t = new PresenceTracker();
  run(t, 0, 2_000);
  assert.deepEqual(run(t, 2_500, 4_500, { faces: [] }), []);
  assert.deepEqual(run(t, 5_000, 9_000), []);
});

test('a dark camera is "can\'t see", never "suspicious"', () => {
  const t = new PresenceTracker();
  assert.deepEqual(run(t, 0, 4_000, { light: { mean: 10, std: 2 }, faces: [] }), ['raised camera-dark (cant-see) @0']);
});

test('a frozen picture (identical thumbnails for 10 s) is "can\'t see"', () => {
  const t = new PresenceTracker();
  const changes: string[] = [];
  for (let at = 0; at <= 11_000; at += 500) changes.push(...t.push({ ...frame(at), thumb: [1, 2, 3] }).map((c) => `${c.state} ${c.flag} @${c.at}`));
  assert.deepEqual(changes, ['raised camera-frozen @10000']);
});

test('the face-visible share counts time with exactly one face in view', () => {
  const t = new PresenceTracker();
  assert.equal(t.visiblePct, null);
  run(t, 0, 10_000);
  run(t, 10_500, 20_000, { faces: [] });
  assert.ok(Math.abs((t.visiblePct ?? 0) - 50) < 3, String(t.visiblePct));
});
