import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { headOf, putChunk } from '../helpers/upload-client.js';
import { ROOT } from '../helpers/child-server.js';
import { syntheticWebmChunks } from '../helpers/synthetic-webm.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;
let proctor: string;
let candidateToken: string;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, rooms: { A: 4, B: 2 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
  const c = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-review-aaaaaaa' });
  candidateToken = c.json.token;
  const cred = c.json.uploadCredential as string;
  // A real recording, uploaded in three chunks as two segments would be: segment 0 only here.
  const webm = new Uint8Array(await readFile(path.join(ROOT, 'test/fixtures/recorder-4s.webm')));
  const cut = [0, 20_000, 40_000, webm.length];
  const chunks = [0, 1, 2].map((seq) => ({ segment: 0, seq, bytes: webm.subarray(cut[seq], cut[seq + 1]) }));
  await s.call('PUT', '/api/recordings/rec-review-1', { kind: 'camera', mimeType: 'video/webm;codecs=vp8,opus' }, bearer(cred));
  await s.call('PUT', '/api/recordings/rec-review-1/segments/0', { startedAt: START - 5 * MIN, mimeType: 'video/webm;codecs=vp8,opus' }, bearer(cred));
  for (const ch of chunks) assert.equal((await putChunk(s.url, cred, 'rec-review-1', 0, ch.seq, ch.bytes)).status, 201);
  const done = await s.call('POST', '/api/recordings/rec-review-1/complete', { segments: [{ segment: 0, chunks: 3 }], chainHead: await headOf('rec-review-1', chunks) }, bearer(cred));
  assert.equal(done.status, 200);
  proctor = (await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-review-proctor' })).json.token;
});
after(() => s.stop());

test('the room\'s proctor lists a candidate\'s recordings with segment start times (server time)', async () => {
  const res = await s.call('GET', '/api/review/candidates/cA-1/recordings', undefined, bearer(proctor));
  assert.equal(res.status, 200);
  const [rec] = res.json.recordings;
  assert.equal(rec.id, 'rec-review-1');
  assert.equal(typeof rec.verifiedAt, 'number');
  assert.deepEqual(rec.segments.map((x: { segment: number; startedAt: number; chunks: unknown[] }) => [x.segment, x.startedAt, x.chunks.length]), [[0, START - 5 * MIN, 3]]);
});

test('a segment is served as a playable webm with its duration', async () => {
  const res = await fetch(`${s.url}/api/review/candidates/cA-1/recordings/rec-review-1/segments/0`, { headers: bearer(proctor) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'video/webm');
  assert.equal(res.headers.get('x-invigil-verified'), 'true');
  const ms = Number(res.headers.get('x-invigil-duration-ms'));
  assert.ok(ms > 3_500 && ms < 4_600, String(ms));
  const body = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...body.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3]);
});

test('a segment is served in ranges: first bytes, middle, open-ended, suffix; an invalid range is 416; the tag revalidates', async () => {
  const url = `${s.url}/api/review/candidates/cA-1/recordings/rec-review-1/segments/0`;
  const whole = await fetch(url, { headers: bearer(proctor) });
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  const etag = whole.headers.get('etag')!;
  assert.match(etag, /^"[0-9a-f]{32}"$/, 'a strong tag');
  const all = Buffer.from(await whole.arrayBuffer());
  assert.equal(Number(whole.headers.get('content-length')), all.length);
  const ask = async (range: string, extra: Record<string, string> = {}) => {
    const res = await fetch(url, { headers: { ...bearer(proctor), range, ...extra } });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };
  const size = all.length;
  for (const [range, from, to] of [['bytes=0-99', 0, 100], ['bytes=20000-30999', 20_000, 31_000], [`bytes=${size - 10}-`, size - 10, size], ['bytes=-500', size - 500, size], [`bytes=100-${size + 50}`, 100, size]] as const) {
    const { res, body } = await ask(range);
    assert.equal(res.status, 206, range);
    assert.equal(res.headers.get('content-range'), `bytes ${from}-${to - 1}/${size}`, range);
    assert.equal(Number(res.headers.get('content-length')), to - from, range);
    assert.equal(res.headers.get('etag'), etag);
    assert.ok(body.equals(all.subarray(from, to)), range);
  }
  const beyond = await ask(`bytes=${size}-`);
  assert.equal(beyond.res.status, 416);
  assert.equal(beyond.res.headers.get('content-range'), `bytes */${size}`);
  assert.equal(JSON.parse(beyond.body.toString()).code, 'range_not_satisfiable');
  // Not a single byte range: the whole body (RFC 9110 lets a server ignore it).
  for (const range of ['bytes=5-2', 'bytes=0-1,5-6', 'items=0-1']) assert.equal((await ask(range)).res.status, 200, range);
  assert.equal((await ask('', { 'if-none-match': etag })).res.status, 304);
  // If-Range with another version's tag: the whole (current) file, not a slice of it.
  assert.equal((await ask('bytes=0-9', { 'if-range': '"0000"' })).res.status, 200);
  assert.equal((await ask('bytes=0-9', { 'if-range': etag })).res.status, 206);
});

test('a 60-minute segment streams with flat server memory; its first byte and a seek near the end come quickly', async () => {
  const c = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-4', ticketCode: 'TA-4', deviceId: 'device-review-ddddddd' });
  const cred = c.json.uploadCredential as string;
  await s.call('PUT', '/api/recordings/rec-review-60min', { kind: 'camera', mimeType: 'video/webm;codecs=vp8' }, bearer(cred));
  await s.call('PUT', '/api/recordings/rec-review-60min/segments/0', { startedAt: START - 70 * MIN, mimeType: 'video/webm;codecs=vp8' }, bearer(cred));
  let stored = 0;
  let seq = 0;
  for (const chunk of syntheticWebmChunks({ minutes: 60, chunkMs: 10_000 })) {
    const res = await putChunk(s.url, cred, 'rec-review-60min', 0, seq++, chunk);
    assert.equal(res.status, 201, await res.text());
    stored += chunk.length;
  }
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  // What stays alive while the file streams (collected first: garbage is not what a segment holds).
  gc();
  const base = used();
  let peak = base;
  // Collected, then read once V8 has swept the freed ArrayBuffers (it does so concurrently).
  const sampler = setInterval(() => {
    gc();
    setTimeout(() => { peak = Math.max(peak, used()); }, 20);
  }, 250);
  const url = `${s.url}/api/review/candidates/cA-4/recordings/rec-review-60min/segments/0`;
  let firstByteMs = 0;
  try {
    const t0 = performance.now();
    const res = await fetch(url, { headers: bearer(proctor) });
    assert.equal(res.status, 200);
    assert.equal(Number(res.headers.get('x-invigil-duration-ms')), 3_599_967);
    const reader = res.body!.getReader();
    let got = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (got === 0) firstByteMs = performance.now() - t0;
      got += r.value.length;
    }
    assert.equal(got, Number(res.headers.get('content-length')));
    assert.ok(got > stored, 'the whole file (with its new head) was streamed');
    // The whole segment is indexed first (1.9–2.4 s here, idle: 360 chunk files read, ≈ 0.7 s of it); a loaded 2-core CI machine gets room.
    assert.ok(firstByteMs < 4_000, `first byte after ${Math.round(firstByteMs)} ms`);
  } finally {
    clearInterval(sampler);
  }
  const growthMb = (peak - base) / 1_048_576;
  // Holding the segment would cost it at least twice (the bytes read, the file made); streamed, what stays
  // alive is a chunk and a few pieces in flight — measured 0–16 MB here (V8 frees ArrayBuffers lazily).
  assert.ok(growthMb < 0.4 * (stored / 1_048_576), `memory grew ${growthMb.toFixed(1)} MB while ${(stored / 1_048_576).toFixed(0)} MB streamed`);
  // A seek near the end: the index is kept, only the chunks the range spans are read.
  const t1 = performance.now();
  const tail = await fetch(url, { headers: { ...bearer(proctor), range: 'bytes=-200000' } });
  assert.equal(tail.status, 206);
  assert.equal((await tail.arrayBuffer()).byteLength, 200_000);
  assert.ok(performance.now() - t1 < 500, `seek took ${Math.round(performance.now() - t1)} ms`);
  console.log(`60-min segment: ${(stored / 1_048_576).toFixed(0)} MB streamed, memory +${growthMb.toFixed(1)} MB, first byte ${Math.round(firstByteMs)} ms`);
});

test('other rooms, other roles and unknown segments are refused', async () => {
  assert.equal((await s.call('GET', '/api/review/candidates/cB-1/recordings', undefined, bearer(proctor))).status, 403);
  assert.equal((await s.call('GET', '/api/review/candidates/cA-1/recordings', undefined, bearer(candidateToken))).status, 403);
  assert.equal((await s.call('GET', '/api/review/candidates/nobody/recordings', undefined, bearer(proctor))).status, 404);
  assert.equal((await s.call('GET', '/api/review/candidates/cA-1/recordings/rec-review-1/segments/7', undefined, bearer(proctor))).status, 404);
  assert.equal((await s.call('GET', '/api/review/candidates/cA-1/recordings/x/segments/0', undefined, bearer(proctor))).status, 400);
});

test('the proctor roster shows who has uploaded what, and problems the device reported', async () => {
  const c = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-2', ticketCode: 'TA-2', deviceId: 'device-review-bbbbbbb' });
  const cred = c.json.uploadCredential as string;
  await s.call('PUT', '/api/recordings/rec-review-2', { kind: 'screen', mimeType: 'video/webm;codecs=vp8' }, bearer(cred));
  assert.equal((await s.call('PUT', '/api/recordings/rec-review-2/problem', { problem: 'conflict: a different chunk is stored' }, bearer(cred))).status, 204);
  const roster = await s.call('GET', '/api/proctor/roster', undefined, bearer(proctor));
  const byId = new Map<string, { uploads: unknown }>(roster.json.rooms[0].candidates.map((x: { id: string; uploads: unknown }) => [x.id, x]));
  assert.deepEqual(byId.get('cA-1')?.uploads, { recordings: 1, verified: 1, bytes: 52612, problem: null });
  assert.deepEqual(byId.get('cA-2')?.uploads, { recordings: 1, verified: 0, bytes: 0, problem: 'conflict: a different chunk is stored' });
  assert.deepEqual(byId.get('cA-3')?.uploads, { recordings: 0, verified: 0, bytes: 0, problem: null });
  const other = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-3', ticketCode: 'TA-3', deviceId: 'device-review-ccccccc' });
  assert.equal((await s.call('PUT', '/api/recordings/rec-review-2/problem', { problem: 'x' }, bearer(other.json.uploadCredential))).status, 403);
});

test('every view of a candidate\'s recordings is in the access log (who, what, when); a player\'s many ranges count as one view', async () => {
  const log = async () => (await s.call('GET', '/api/review/candidates/cA-1/access-log', undefined, bearer(proctor))).json.entries as { viewerRole: string; viewerId: string; what: string; at: number }[];
  const seg = '/api/review/candidates/cA-1/recordings/rec-review-1/segments/0';
  // Listed and played (the tests above may have done so too, within the same ten minutes: one view each).
  await s.call('GET', '/api/review/candidates/cA-1/recordings', undefined, bearer(proctor));
  await fetch(`${s.url}${seg}`, { headers: bearer(proctor) }).then((r) => r.arrayBuffer());
  const before = await log();
  assert.deepEqual(before.map((e) => [e.viewerRole, e.viewerId, e.what]), [['proctor', 'p1', 'recordings'], ['proctor', 'p1', 'recording rec-review-1 segment 0']]);
  assert.ok(before.every((e) => e.at === s.clock.now()));
  for (let i = 0; i < 3; i++) await fetch(`${s.url}${seg}`, { headers: { ...bearer(proctor), range: `bytes=${i * 100}-` } }).then((r) => r.arrayBuffer());
  assert.equal((await log()).length, 2, 'the same view, still');
  s.clock.advance(11 * MIN);
  await fetch(`${s.url}${seg}`, { headers: bearer(proctor) }).then((r) => r.arrayBuffer());
  const later = await log();
  assert.equal(later.length, 3);
  assert.deepEqual(later.at(-1), { viewerRole: 'proctor', viewerId: 'p1', what: 'recording rec-review-1 segment 0', at: s.clock.now() });
  // Refused requests leave no trace; the log is not for candidates.
  await s.call('GET', '/api/review/candidates/cA-1/recordings/rec-review-1/segments/7', undefined, bearer(proctor));
  assert.equal((await log()).length, 3);
  assert.equal((await s.call('GET', '/api/review/candidates/cA-1/access-log', undefined, bearer(candidateToken))).status, 403);
});
