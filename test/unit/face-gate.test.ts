import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faceGate, frontal, type GateFace, type GateFrame, type Point } from '../../src/core/face-gate.js';

/** The astronaut fixture as the worker measured it on the 640×480 fake camera. */
const astronaut: GateFace = {
  box: [246, 78, 351, 157],
  landmarks: [[276.6, 98.9], [317.7, 106.2], [289.2, 122.6], [285.6, 136.9], [253.1, 98.4], [344.4, 114.4]],
  score: 0.897,
  light: { mean: 159.4, std: 59.1 },
};
const frame = (...faces: GateFace[]): GateFrame => ({ width: 640, height: 480, faces });
const moved = (f: GateFace, dx: number, dy: number, k = 1): GateFace => ({
  ...f,
  box: [f.box[0] * k + dx, f.box[1] * k + dy, f.box[2] * k + dx, f.box[3] * k + dy],
  landmarks: f.landmarks.map(([x, y]): Point => [x * k + dx, y * k + dy]),
});
const guidance = (f: ReturnType<typeof frame>) => {
  const v = faceGate(f);
  return v.accepted ? 'accepted' : v.guidance;
};

test('the fixture face is accepted', () => {
  assert.equal(guidance(frame(astronaut)), 'accepted');
});

test('no face, or a face below the model threshold: move into view', () => {
  assert.equal(guidance(frame()), 'no-face');
  assert.equal(guidance(frame({ ...astronaut, score: 0.6 })), 'no-face');
  // No face in a dark frame: the cause is the light.
  assert.equal(guidance({ ...frame(), light: { mean: 20, std: 8 } }), 'light');
  assert.equal(guidance({ ...frame(), light: { mean: 140, std: 40 } }), 'no-face');
});

test('two faces: only you in view — also when the second is small and only the wide check found it', () => {
  assert.equal(guidance(frame(astronaut, moved(astronaut, 200, 0))), 'several');
  const behind = { box: [520, 60, 560, 100] as [number, number, number, number], score: 0.8 };
  const same = { box: [250, 80, 348, 160] as [number, number, number, number], score: 0.85 };
  assert.equal(guidance({ ...frame(astronaut), wide: { faces: [same, behind] } }), 'several');
  assert.equal(guidance({ ...frame(astronaut), wide: { faces: [same] } }), 'accepted', 'the candidate seen by both checks');
  assert.equal(guidance({ ...frame(astronaut), wide: { faces: [] } }), 'accepted');
});

test('too small: move closer; off-centre: move to the middle', () => {
  assert.equal(guidance(frame(moved(astronaut, 100, 30, 0.5))), 'closer');
  assert.equal(guidance(frame(moved(astronaut, 260, 0))), 'centre');
  assert.equal(guidance(frame(moved(astronaut, 0, 330))), 'centre');
});

test('dark or flat light on the face: more light', () => {
  assert.equal(guidance(frame({ ...astronaut, light: { mean: 35, std: 20 } })), 'light');
  assert.equal(guidance(frame({ ...astronaut, light: { mean: 120, std: 6 } })), 'light');
});

test('a detected but unclear face (mask, hand, hair): uncover', () => {
  assert.equal(guidance(frame({ ...astronaut, score: 0.78 })), 'uncover');
});

test('frontal: eyes level, nose between them, mouth below, both ears out and balanced', () => {
  assert.equal(frontal(astronaut.landmarks), true);
  const lm = astronaut.landmarks;
  const change = (i: number, p: Point) => lm.map((q, j) => (j === i ? p : q));
  assert.equal(frontal(change(1, [317.7, 130])), false, 'tilted head');
  assert.equal(frontal(change(2, [315, 122.6])), false, 'nose far to one side: turned');
  assert.equal(frontal(change(3, [285.6, 110])), false, 'mouth above the nose');
  assert.equal(frontal(change(4, [280, 98.4])), false, 'right ear not outside the eye');
  assert.equal(frontal(change(5, [322, 114.4])), false, 'ears unbalanced: turned away');
  assert.equal(frontal(lm.slice(0, 5)), false, 'a landmark missing');
  assert.equal(guidance(frame({ ...astronaut, landmarks: change(5, [322, 114.4]) })), 'frontal');
});
