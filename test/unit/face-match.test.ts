import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideMatch, similarity } from '../../src/core/face-match.js';
import { identityPending } from '../../src/core/flow.js';

const v = (...xs: number[]) => xs;

test('similarity is the correlation of the descriptors: 1 for the same, -1 for the opposite, blind to a common offset and scale', () => {
  const a = v(0.1, 0.5, -0.2, 0.9, 0.3);
  assert.equal(similarity(a, a), 1);
  assert.ok(Math.abs(similarity(a, a.map((x) => -x)) + 1) < 1e-12);
  // The model's outputs share a large common component: it must not count.
  assert.ok(Math.abs(similarity(a, a.map((x) => 3 * x + 100)) - 1) < 1e-12);
  assert.ok(Math.abs(similarity(v(1, 0, 0, 0), v(0, 1, 0, 0)) + 1 / 3) < 1e-12);
  assert.equal(similarity(v(2, 2, 2), v(1, 2, 3)), 0, 'a flat descriptor carries nothing');
  assert.throws(() => similarity(v(1, 2), v(1, 2, 3)), /differ in length/);
});

test('the decision: one face in each image and the threshold; a bad reference or capture is not a mismatch', () => {
  const d = (...xs: number[]) => ({ ok: true as const, descriptor: xs });
  const same = decideMatch(d(1, 2, 3, 4), d(1, 2, 3, 4.1), 0.6);
  assert.equal(same.path, 'matched');
  assert.ok(same.similarity !== null && same.similarity > 0.99);
  assert.equal(decideMatch(d(1, 2, 3, 4), d(4, 3, 2, 1), 0.6).path, 'not-matched');
  // At the threshold it matches.
  const exact = similarity(v(1, 2, 3, 4), v(1, 3, 2, 4));
  assert.equal(decideMatch(d(1, 2, 3, 4), d(1, 3, 2, 4), exact).path, 'matched');
  assert.deepEqual(decideMatch(d(1, 2, 3), { ok: false, reason: 'several' }, 0.6), { path: 'no-reference', similarity: null });
  assert.deepEqual(decideMatch({ ok: false, reason: 'no-face' }, d(1, 2, 3), 0.6), { path: 'unavailable', similarity: null });
});

test('the face-match step is due only with face match on, a photo, and no answer seen yet', () => {
  const base = { enabled: true, threshold: 0.6, storesDescriptors: false, hasReference: true, consent: null, path: null };
  assert.equal(identityPending(base, false), true);
  assert.equal(identityPending({ ...base, enabled: false }, false), false);
  assert.equal(identityPending({ ...base, hasReference: false, path: 'no-reference' }, false), false, 'nothing to compare, nothing to ask');
  const decided = { ...base, consent: { given: false, at: 1 }, path: 'declined' as const };
  assert.equal(identityPending(decided, false), true, 'the outcome is shown once');
  assert.equal(identityPending(decided, true), false);
});
