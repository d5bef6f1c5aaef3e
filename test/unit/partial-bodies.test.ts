import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartialBodies } from '../../server/http/partial-bodies.js';

test('cut bodies are kept within their byte budget (oldest dropped first) and for a limited time', () => {
  let now = 0;
  const p = new PartialBodies(100, 1_000, () => now);
  p.keep('a', new Uint8Array(40));
  p.keep('b', new Uint8Array(40));
  assert.deepEqual([p.size('a'), p.size('b'), p.bytes], [40, 40, 80]);
  p.keep('c', new Uint8Array(40));
  assert.deepEqual([p.size('a'), p.size('b'), p.size('c'), p.bytes], [0, 40, 40, 80], 'the oldest went to make room');
  p.keep('b', new Uint8Array(10));
  assert.deepEqual([p.size('b'), p.bytes], [10, 50], 'a newer prefix of the same body replaces the older');
  p.keep('big', new Uint8Array(101));
  assert.equal(p.size('big'), 0, 'a prefix over the whole budget is not kept');
  assert.equal(p.take('c')?.length, 40);
  assert.deepEqual([p.size('c'), p.bytes], [0, 10], 'taken means gone');
  now = 1_001;
  assert.equal(p.take('b'), undefined, 'expired');
  assert.equal(p.bytes, 0);
});
