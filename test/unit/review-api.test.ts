import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { headOf, putChunk } from '../helpers/upload-client.js';
import { ROOT } from '../helpers/child-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;
let proctor: string;
let candidateToken: string;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
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
