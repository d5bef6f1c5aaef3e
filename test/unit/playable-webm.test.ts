import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ID, readHeader, readUint } from '../../server/media/ebml.js';
import { createHash } from 'node:crypto';
import { bytesSource, piecesSource, rangedSource } from '../../server/media/byte-source.js';
import { indexWebm, makePlayable, playableLayout, readPlayable } from '../../server/media/playable-webm.js';
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
  const { bytes, durationMs, clusters } = await makePlayable(bytesSource(input));
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

test('garbage is refused with an error, not a crash', async () => {
  await assert.rejects(makePlayable(bytesSource(new Uint8Array([1, 2, 3, 4]))));
  await assert.rejects(makePlayable(bytesSource(new Uint8Array(0))));
});

test('a recording cut off mid-block (tab closed) still becomes playable, minus the partial block', async () => {
  const input = await fixture();
  for (const cut of [input.length - 1, input.length - 500, Math.floor(input.length * 0.6)]) {
    const { bytes, durationMs, clusters } = await makePlayable(bytesSource(input.subarray(0, cut)));
    assert.ok(clusters >= 1 && durationMs > 0, `cut at ${cut}`);
    const ebml = readHeader(bytes, 0);
    const seg = readHeader(bytes, ebml.dataStart + ebml.size!);
    assert.equal(seg.dataStart + seg.size!, bytes.length);
  }
});

/** Splits bytes into pieces of the given sizes, cycling (a segment's chunks, cut anywhere — mid-header too). */
function pieces(bytes: Uint8Array, sizes: number[]): { sizes: number[]; loads: number[]; source: ReturnType<typeof piecesSource> } {
  const cuts: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.min(bytes.length - at, sizes[i % sizes.length]!);
    cuts.push(bytes.slice(at, at + n));
    at += n;
  }
  const loads: number[] = [];
  return { sizes: cuts.map((c) => c.length), loads, source: piecesSource(cuts.map((c) => c.length), (i) => (loads.push(i), Promise.resolve(cuts[i]!))) };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('streamed from chunks cut anywhere: the same bytes as the earlier in-memory rewrite (hashes taken from e84f45a)', async () => {
  const input = await fixture();
  const before: Record<number, string> = {
    [input.length]: '191c78311ea4d8d8c31f5437ceb5dc6edb3b76aa3e490e8a946f1bb92e296628',
    30_000: '4ceec9f671f9a4c507255a5cac6411ccf2fab5dc9ede8b572a773bf9b3e981d6',
    12_345: '2354de0ee11a0f0220cee926e4f6cfcfd5251cb3fbb7d90c2bf838b6840b671c',
  };
  for (const [cut, hash] of Object.entries(before)) {
    const bytes = input.subarray(0, Number(cut));
    assert.equal(sha((await makePlayable(bytesSource(bytes))).bytes), hash, `whole, cut at ${cut}`);
    for (const sizes of [[1, 7, 3], [5_000], [777, 13, 2_048]]) {
      const { source } = pieces(bytes, sizes);
      assert.equal(sha((await makePlayable(source)).bytes), hash, `pieces of ${sizes.join('/')}, cut at ${cut}`);
    }
  }
});

test('any byte range of the playable file is that slice of the whole, reading only the chunks it spans', async () => {
  const input = await fixture();
  const whole = (await makePlayable(bytesSource(input))).bytes;
  const { source, loads } = pieces(input, [4_096]);
  const webm = playableLayout(await indexWebm(source));
  assert.equal(webm.size, whole.length);
  for (const [from, to] of [[0, 100], [0, whole.length], [1_000, 1_001], [20_000, 31_234], [whole.length - 300, whole.length]] as const) {
    loads.length = 0;
    const got: Uint8Array[] = [];
    for await (const piece of readPlayable(webm, source, from, to, 1_000)) got.push(piece.slice());
    assert.ok(Buffer.concat(got).equals(Buffer.from(whole.subarray(from, to))), `bytes ${from}-${to}`);
    assert.ok(got.every((p) => p.length <= 1_000), 'read in bounded pieces');
    assert.ok(new Set(loads).size <= Math.ceil((to - from) / 4_096) + 2, `bytes ${from}-${to} loaded chunks ${[...new Set(loads)].join(',')}`);
  }
});

test('a ranged source reads only the bytes asked for, across pieces, the same as the whole; a short piece is an error', async () => {
  const input = await fixture();
  const cuts = [0, 4_096, 4_096, 9_000, 9_000, 20_000, input.length].map((e, i, a) => input.subarray(a[i - 1] ?? 0, e)).slice(1);
  const asked: [number, number, number][] = [];
  const source = rangedSource(cuts.map((c) => c.length), (i, a, b) => (asked.push([i, a, b]), Promise.resolve(cuts[i]!.slice(a, b))));
  assert.equal(source.size, input.length);
  for (const [from, to] of [[0, 10], [4_000, 4_200], [4_096, 9_000], [8_990, 20_010], [0, input.length], [input.length - 5, input.length + 50]] as const) {
    asked.length = 0;
    assert.ok(Buffer.from(await source.read(from, to)).equals(Buffer.from(input.subarray(from, to))), `bytes ${from}-${to}`);
    const loaded = asked.reduce((n, [, a, b]) => n + b - a, 0);
    assert.equal(loaded, Math.min(to, input.length) - from, `bytes ${from}-${to}: loaded only those (${JSON.stringify(asked)})`);
  }
  const webm = playableLayout(await indexWebm(bytesSource(input)));
  const whole = (await makePlayable(bytesSource(input))).bytes;
  const got: Uint8Array[] = [];
  for await (const piece of readPlayable(webm, source, 1_000, whole.length, 3_000)) got.push(piece.slice());
  assert.ok(Buffer.concat(got).equals(Buffer.from(whole.subarray(1_000))), 'served from ranges: the playable file');
  const short = rangedSource([10, 10], (i, a, b) => Promise.resolve(new Uint8Array(i === 1 ? Math.max(0, b - a - 1) : b - a)));
  await assert.rejects(() => short.read(5, 15), /stored piece 1 gave 4 bytes at 0, 5 expected/);
});
