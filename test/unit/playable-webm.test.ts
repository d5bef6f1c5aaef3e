import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ID, readHeader, readUint } from '../../server/media/ebml.js';
import { makePlayable } from '../../server/media/playable-webm.js';
import { ROOT } from '../helpers/child-server.js';

/** A real MediaRecorder recording (fake camera, 4 s, Chromium 156) exactly as the recorder wrote it. */
const fixture = async () => new Uint8Array(await readFile(path.join(ROOT, 'test/fixtures/recorder-4s.webm')));

/** The Segment's top-level children (id, size), walking known sizes only. */
function topLevel(bytes: Uint8Array): { id: number; size: number | null; dataStart: number }[] {
  const ebml = readHeader(bytes, 0);
  const seg = readHeader(bytes, ebml.dataStart + ebml.size!);
  const out = [];
  for (let pos = seg.dataStart; pos < bytes.length;) {
    const h = readHeader(bytes, pos);
    out.push(h);
    if (h.size === null) break;
    pos = h.dataStart + h.size;
  }
  return out;
}

test('the recorder\'s webm is live-written: unknown sizes, no duration, no cues', async () => {
  const input = await fixture();
  const ebml = readHeader(input, 0);
  assert.equal(readHeader(input, ebml.dataStart + ebml.size!).size, null, 'Segment of unknown size');
  const ids = topLevel(input).map((h) => h.id);
  assert.equal(ids.includes(ID.Cues), false);
});

test('made playable: sizes known, a duration, cues pointing at keyframe clusters, media kept', async () => {
  const input = await fixture();
  const { bytes, durationMs, clusters } = makePlayable(input);
  assert.ok(durationMs > 3_500 && durationMs < 4_600, `duration ${durationMs} ms`);
  const top = topLevel(bytes);
  assert.deepEqual(top.slice(0, 3).map((h) => h.id), [ID.Info, ID.Tracks, ID.Cues]);
  assert.equal(top.filter((h) => h.id === ID.Cluster).length, clusters);
  assert.ok(clusters >= 2);
  const ebml = readHeader(bytes, 0);
  const seg = readHeader(bytes, ebml.dataStart + ebml.size!);
  assert.equal(seg.dataStart + seg.size!, bytes.length, 'Segment size covers the file');

  // Duration inside Info (float, in timestamp-scale ticks = ms here).
  const info = top[0]!;
  let duration: number | null = null;
  for (let pos = info.dataStart; pos < info.dataStart + info.size!;) {
    const h = readHeader(bytes, pos);
    if (h.id === ID.Duration) duration = new DataView(bytes.buffer, bytes.byteOffset + h.dataStart, 8).getFloat64(0);
    pos = h.dataStart + h.size!;
  }
  assert.equal(duration, durationMs);

  // Every cue points at a Cluster, relative to the Segment's data.
  const cues = top[2]!;
  let count = 0;
  for (let pos = cues.dataStart; pos < cues.dataStart + cues.size!;) {
    const point = readHeader(bytes, pos);
    const tp = readHeader(bytes, readHeader(bytes, point.dataStart).dataStart + 8);
    const track = readHeader(bytes, tp.dataStart);
    const position = readHeader(bytes, track.dataStart + track.size!);
    const clusterAt = seg.dataStart + readUint(bytes, position.dataStart, position.dataStart + position.size!);
    assert.equal(readHeader(bytes, clusterAt).id, ID.Cluster);
    count++;
    pos = point.dataStart + point.size!;
  }
  assert.ok(count >= 1);

  // The clusters' content is the recorder's, byte for byte.
  const firstIn = Buffer.from(input).indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]));
  const inPayloads = Buffer.from(input).subarray(firstIn);
  const outClusters = top.filter((h) => h.id === ID.Cluster).map((h) => Buffer.from(bytes.subarray(h.dataStart, h.dataStart + h.size!)));
  const total = outClusters.reduce((n, b) => n + b.length, 0);
  assert.ok(total > 0.9 * inPayloads.length);
  let at = 0;
  for (const c of outClusters) {
    const found = inPayloads.indexOf(c.subarray(0, Math.min(64, c.length)), at);
    assert.ok(found >= 0);
    assert.ok(inPayloads.subarray(found, found + c.length).equals(c));
    at = found + c.length;
  }
});

test('garbage is refused with an error, not a crash', () => {
  assert.throws(() => makePlayable(new Uint8Array([1, 2, 3, 4])));
  assert.throws(() => makePlayable(new Uint8Array(0)));
});

test('a recording cut off mid-block (tab closed) still becomes playable, minus the partial block', async () => {
  const input = await fixture();
  for (const cut of [input.length - 1, input.length - 500, Math.floor(input.length * 0.6)]) {
    const { bytes, durationMs, clusters } = makePlayable(input.subarray(0, cut));
    assert.ok(clusters >= 1 && durationMs > 0, `cut at ${cut}`);
    const ebml = readHeader(bytes, 0);
    const seg = readHeader(bytes, ebml.dataStart + ebml.size!);
    assert.equal(seg.dataStart + seg.size!, bytes.length);
  }
});
