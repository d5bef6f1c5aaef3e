import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { recordingBudget } from '../../src/core/recording-budget.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { framesBody, postFrames, putChunk } from '../helpers/upload-client.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  const exam = examFixture({ startAt: START, rooms: { A: 4 } }) as any;
  exam.recording = { maxRecordingsPerKind: 2, maxCandidateBytes: 1024 * 1024, maxChunkBytes: 512 * 1024 };
  await s.importExam(exam);
});
after(() => s.stop());

const login = async (n: number): Promise<{ uploadCredential: string; token: string }> =>
  (await s.call('POST', '/api/session/candidate', { candidateId: `cA-${n}`, ticketCode: `TA-${n}`, deviceId: `device-quota-${n}-aaaaaaa` })).json as { uploadCredential: string; token: string };
const quotaEvents = async (candidate: string) =>
  (await s.services.events.list('exam1', candidate)).filter((e) => e.type === 'quota-exceeded').map((e) => e.detail?.what);

test('the defaults never stop an honest 3-hour exam at the highest bitrates the schema allows', () => {
  const b = recordingBudget({
    videoBitsPerSecond: 8_000_000, audioBitsPerSecond: 256_000, screenBitsPerSecond: 8_000_000, maxRecordingsPerKind: 8,
    examMinutes: 15 + 180,
  });
  // 3 h 15 min from entry at the full rate, with MediaRecorder's measured overshoot (≈ 1.3×).
  const honest = (bps: number) => (bps / 8) * (195 * 60) * 1.3;
  assert.ok(b.perRecording.camera > honest(8_256_000));
  assert.ok(b.perRecording.screen > honest(8_256_000));
  assert.ok(b.perCandidate > honest(8_256_000) * 3);
  assert.ok(b.eventsPerMinute >= 1000 && b.events >= 20_000);
});

test('recordings per kind: beyond the limit a clear 413, reported for the proctor; an existing one stays usable', async () => {
  const { uploadCredential: cred } = await login(1);
  for (const id of ['rec-q-one-1', 'rec-q-two-1']) assert.equal((await s.call('PUT', `/api/recordings/${id}`, { kind: 'camera', mimeType: 'video/webm' }, bearer(cred))).status, 200);
  const third = await s.call('PUT', '/api/recordings/rec-q-three-1', { kind: 'camera', mimeType: 'video/webm' }, bearer(cred));
  assert.equal(third.status, 413);
  assert.equal(third.json.code, 'quota_exceeded');
  assert.equal(third.json.details.what, 'camera-recordings');
  assert.equal((await s.call('PUT', '/api/recordings/rec-q-one-1', { kind: 'camera', mimeType: 'video/webm' }, bearer(cred))).status, 200, 'repeat is fine');
  assert.equal((await s.call('PUT', '/api/recordings/rec-q-scr-1', { kind: 'screen', mimeType: 'video/webm' }, bearer(cred))).status, 200, 'other kinds count apart');
  assert.deepEqual(await quotaEvents('cA-1'), ['camera-recordings']);
});

test('bytes across all of a candidate\'s recordings: 413 at the limit; a repeat of a stored chunk still succeeds', async () => {
  const { uploadCredential: cred } = await login(2);
  for (const id of ['rec-q-cam-2', 'rec-q-scr-2']) await s.call('PUT', `/api/recordings/${id}`, { kind: id.includes('cam') ? 'camera' : 'screen', mimeType: 'video/webm' }, bearer(cred));
  const chunk = new Uint8Array(randomBytes(400 * 1024));
  assert.equal((await putChunk(s.url, cred, 'rec-q-cam-2', 0, 0, chunk)).status, 201);
  assert.equal((await putChunk(s.url, cred, 'rec-q-scr-2', 0, 0, chunk)).status, 201);
  const over = await putChunk(s.url, cred, 'rec-q-scr-2', 0, 1, chunk);
  assert.equal(over.status, 413);
  assert.equal(((await over.json()) as { code: string }).code, 'quota_exceeded');
  assert.equal((await putChunk(s.url, cred, 'rec-q-cam-2', 0, 0, chunk)).status, 200, 'a repeat is never refused');
  assert.deepEqual(await quotaEvents('cA-2'), ['candidate-bytes']);
});

test('events per minute: 429 with Retry-After beyond the rate; login captures are capped', async () => {
  const { uploadCredential: cred, token } = await login(3);
  let refused: Awaited<ReturnType<typeof s.call>> | null = null;
  for (let batch = 0; batch < 20 && !refused; batch++) {
    const events = Array.from({ length: 200 }, (_, i) => ({ id: `ev-${batch}-${i}-xxxx`, type: 'window-blur', at: s.clock.t }));
    const res = await s.call('POST', '/api/device/events', { events }, bearer(cred));
    if (res.status !== 200) refused = res;
  }
  assert.equal(refused?.status, 429);
  assert.equal(refused?.json.code, 'rate_limited');
  assert.ok(refused?.json.details.retryAfterS >= 1);
  const stored = (await s.services.events.list('exam1', 'cA-3')).filter((e) => e.type === 'window-blur').length;
  assert.equal(stored, 3000, 'everything up to the rate was kept');
  const jpeg = new Uint8Array(200);
  jpeg.set([0xff, 0xd8, 0xff]);
  const statuses: number[] = [];
  for (let i = 0; i < 21; i++) {
    jpeg[10] = i;
    statuses.push((await fetch(`${s.url}/api/candidate/login-capture`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'image/jpeg' }, body: jpeg })).status);
  }
  assert.deepEqual(statuses, [...Array(20).fill(201), 413]);
  assert.deepEqual((await quotaEvents('cA-3')).sort(), ['events-per-minute', 'login-captures']);
});

test('bytes across a candidate\'s recordings, in one framed request: its own earlier chunks count — the first chunk over the limit is refused, none after it stored', async () => {
  const { uploadCredential: cred } = await login(4);
  await s.call('PUT', '/api/recordings/rec-q-cam-4', { kind: 'camera', mimeType: 'video/webm' }, bearer(cred));
  const frames = [0, 1, 2, 3].map((seq) => ({ segment: 0, seq, bytes: new Uint8Array(randomBytes(300 * 1024)) }));
  const res = await postFrames(s.url, cred, 'rec-q-cam-4', framesBody(frames));
  assert.equal(res.status, 200);
  const reply = await res.json() as { frames: { seq: number; stored: boolean }[]; refused?: { seq: number; code: string } };
  // 1 MiB for the candidate: three chunks of 300 KiB fit, the fourth does not.
  assert.deepEqual(reply.frames.map((f) => f.seq), [0, 1, 2]);
  assert.deepEqual([reply.refused?.seq, reply.refused?.code], [3, 'quota_exceeded']);
  const row = await s.services.db.selectFrom('recordings').select('bytes').where('id', '=', 'rec-q-cam-4').executeTakeFirstOrThrow();
  assert.equal(row.bytes, 3 * 300 * 1024);
  assert.deepEqual(await quotaEvents('cA-4'), ['candidate-bytes']);
});
