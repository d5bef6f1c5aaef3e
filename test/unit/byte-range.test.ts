import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRange } from '../../server/http/byte-range.js';
import { piecesSource } from '../../server/media/byte-source.js';

test('Range: first bytes, middle, open-ended, suffix, clamped; unsatisfiable and ignored forms', () => {
  assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 100 });
  assert.deepEqual(parseRange('bytes=500-599', 1000), { start: 500, end: 600 });
  assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 1000 });
  assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 1000 });
  assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 1000 });
  assert.deepEqual(parseRange('bytes=990-2000', 1000), { start: 990, end: 1000 });
  assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
  for (const ignored of [undefined, '', 'bytes=5-2', 'bytes=0-1,4-5', 'items=0-1', 'bytes=-', 'bytes=a-b']) assert.equal(parseRange(ignored, 1000), null, String(ignored));
});

test('a source of pieces reads across piece boundaries, loading each piece once while reads move forward', async () => {
  const pieces = [new Uint8Array([0, 1, 2]), new Uint8Array([3]), new Uint8Array([4, 5, 6, 7])];
  const loads: number[] = [];
  const src = piecesSource(pieces.map((p) => p.length), (i) => (loads.push(i), Promise.resolve(pieces[i]!)));
  assert.equal(src.size, 8);
  assert.deepEqual([...await src.read(0, 2)], [0, 1]);
  assert.deepEqual([...await src.read(2, 6)], [2, 3, 4, 5]);
  assert.deepEqual([...await src.read(6, 100)], [6, 7]);
  assert.deepEqual([...await src.read(-5, 1)], [0]);
  assert.deepEqual([...await src.read(8, 9)], []);
  // One piece held at a time: forward reads load each piece once; going back loads piece 0 again.
  assert.deepEqual(loads, [0, 1, 2, 0]);
  const bad = piecesSource([4], () => Promise.resolve(new Uint8Array(3)));
  await assert.rejects(bad.read(0, 1), /has 3 bytes, 4 expected/);
});
