import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { headOf, putChunk } from '../helpers/upload-client.js';
import { ROOT } from '../helpers/child-server.js';
import { LayoutCache } from '../../server/media/layout-cache.js';

// Review (R13, issue 15 items 1–3): the reviewer's list, one candidate's case, the judgements.
const START = Date.parse('2026-12-01T01:00:00Z');
const WEBM = 'video/webm;codecs=vp8,opus';
let s: TestServer;
let proctor: string;
let reviewer: string;

const signIn = async (proctorId: string) =>
  (await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId, password: PROCTOR_PASSWORD, deviceId: `device-${proctorId}-aaaaaaaa` })).json.token as string;

before(async () => {
  s = await startTestServer(START - 10 * MIN);
  const hash = await hashPassword(PROCTOR_PASSWORD);
  const exam = examFixture({ startAt: START, rooms: { A: 3, B: 2 }, proctorHash: hash });
  exam.proctors = [...(exam.proctors ?? []), { id: 'r1', name: 'Reviewer', passwordHash: hash, role: 'reviewer' }];
  await s.importExam(exam);
  const c = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-2', ticketCode: 'TA-2', deviceId: 'device-review-judge-a' });
  const cred = c.json.uploadCredential as string;
  const at = START + MIN;
  const flag = (id: string, t: number, state: string, name: string, kind: string) => ({ id, type: 'face-flag', at: t, detail: { flag: name, state, kind } });
  const posted = await s.call('POST', '/api/device/events', { events: [
    flag('flag-others-1', at, 'raised', 'others', 'suspicious'), flag('flag-others-1c', at + 20_000, 'cleared', 'others', 'suspicious'),
    flag('flag-noface-1', at + 60_000, 'raised', 'no-face', 'cant-see'), { id: 'tab-hidden-1', type: 'tab-hidden', at: at + 90_000 },
  ] }, bearer(cred));
  assert.equal(posted.status, 200, JSON.stringify(posted.json));
  // One real 4-s recording, stored as two segments 10 s apart (a gap between them).
  const webm = new Uint8Array(await readFile(path.join(ROOT, 'test/fixtures/recorder-4s.webm')));
  assert.equal((await s.call('PUT', '/api/recordings/rec-judge-cam', { kind: 'camera', mimeType: WEBM }, bearer(cred))).status, 200);
  const chunks = [0, 1].map((segment) => ({ segment, seq: 0, bytes: webm }));
  for (const ch of chunks) {
    await s.call('PUT', `/api/recordings/rec-judge-cam/segments/${ch.segment}`, { startedAt: START + ch.segment * 10_000, mimeType: WEBM }, bearer(cred));
    assert.equal((await putChunk(s.url, cred, 'rec-judge-cam', ch.segment, 0, ch.bytes)).status, 201);
  }
  const done = await s.call('POST', '/api/recordings/rec-judge-cam/complete', { segments: [{ segment: 0, chunks: 1 }, { segment: 1, chunks: 1 }], chainHead: await headOf('rec-judge-cam', chunks) }, bearer(cred));
  assert.equal(done.status, 200, JSON.stringify(done.json));
  proctor = await signIn('p1');
  reviewer = await signIn('r1');
});
after(() => s.stop());

test('a proctor lists the candidates of their room, a reviewer those of every room; the flagged candidate comes first', async () => {
  const mine = await s.call('GET', '/api/review/candidates', undefined, bearer(proctor));
  assert.equal(mine.status, 200, JSON.stringify(mine.json));
  assert.deepEqual(mine.json.candidates.map((c: { room: string }) => c.room).sort(), ['A', 'A', 'A']);
  const all = await s.call('GET', '/api/review/candidates', undefined, bearer(reviewer));
  assert.equal(all.json.reviewer.role, 'reviewer');
  assert.deepEqual(all.json.rooms.map((r: { id: string }) => r.id), ['A', 'B']);
  assert.equal(all.json.candidates.length, 5);
  const [first] = all.json.candidates;
  assert.equal(first.id, 'cA-2');
  assert.deepEqual(first.unreviewed, { 'cant-see': 1, suspicious: 1 });
  assert.equal(first.integrity, 1);
  assert.equal(first.state, 'not-started');
  assert.deepEqual(first.completeness.map((c: { kind: string; verifiedBytes: number }) => [c.kind, c.verifiedBytes > 0]), [['camera', true]]);
  assert.equal((await s.call('GET', '/api/review/candidates/cB-1/case', undefined, bearer(proctor))).status, 403, 'another room is not the proctor\'s');
  assert.equal((await s.call('GET', '/api/review/candidates/cB-1/case', undefined, bearer(reviewer))).status, 200);
});

test('the case places each segment at its server-time start with its length, with the events and flags', async () => {
  const res = await s.call('GET', '/api/review/candidates/cA-2/case', undefined, bearer(reviewer));
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const [rec] = res.json.recordings;
  assert.equal(rec.kind, 'camera');
  assert.deepEqual(rec.segments.map((x: { segment: number; startedAt: number }) => [x.segment, x.startedAt]), [[0, START], [1, START + 10_000]]);
  for (const seg of rec.segments) assert.ok(seg.durationMs > 3_500 && seg.durationMs < 4_600, String(seg.durationMs));
  assert.equal(res.json.events.filter((e: { type: string }) => e.type === 'face-flag').length, 3);
  const log = await s.call('GET', '/api/review/candidates/cA-2/access-log', undefined, bearer(proctor));
  assert.ok(log.json.entries.some((e: { viewerRole: string; viewerId: string; what: string }) => e.viewerRole === 'reviewer' && e.viewerId === 'r1' && e.what === 'case'));
});

test('judgements: each flag confirmed or dismissed with a note, the candidate cleared or an incident with a reason, each kept with who and when', async () => {
  const url = '/api/review/candidates/cA-2';
  assert.equal((await s.call('POST', `${url}/flags/flag-others-1`, { verdict: 'confirmed', note: 'a second person at 1:00' }, bearer(reviewer))).status, 200);
  assert.equal((await s.call('POST', `${url}/flags/flag-noface-1`, { verdict: 'dismissed' }, bearer(proctor))).status, 200);
  const unknown = await s.call('POST', `${url}/flags/tab-hidden-1`, { verdict: 'confirmed' }, bearer(reviewer));
  assert.equal(unknown.status, 404, 'only a raised presence flag of this candidate is judged');
  const noReason = await s.call('POST', `${url}/decision`, { state: 'incident' }, bearer(reviewer));
  assert.equal(noReason.status, 400);
  assert.match(JSON.stringify(noReason.json), /reason/);
  const list = await s.call('GET', '/api/review/candidates', undefined, bearer(reviewer));
  const row = list.json.candidates.find((c: { id: string }) => c.id === 'cA-2');
  assert.deepEqual([row.state, row.unreviewed], ['in-review', { 'cant-see': 0, suspicious: 0 }]);
  s.clock.advance(5_000);
  const decided = await s.call('POST', `${url}/decision`, { state: 'incident', reason: 'a second person confirmed' }, bearer(reviewer));
  assert.equal(decided.status, 200);
  const last = decided.json.decisions.at(-1);
  assert.deepEqual([last.subject, last.decision, last.note, last.by, last.at], ['candidate', 'incident', 'a second person confirmed', 'r1', s.clock.t]);
  const again = await s.call('GET', `${url}/case`, undefined, bearer(proctor));
  assert.deepEqual(again.json.decisions.map((d: { subject: string; decision: string; by: string }) => [d.subject, d.decision, d.by]), [
    ['flag:flag-others-1', 'confirmed', 'r1'], ['flag:flag-noface-1', 'dismissed', 'p1'], ['candidate', 'incident', 'r1'],
  ]);
  assert.equal(again.json.row.state, 'incident');
  const after = await s.call('GET', '/api/review/candidates', undefined, bearer(reviewer));
  assert.notEqual(after.json.candidates[0].id, 'cA-2', 'a decided candidate goes to the end');
});

test('an exam whose proctor has no room is refused at import; a reviewer without rooms is accepted', async () => {
  const hash = await hashPassword(PROCTOR_PASSWORD);
  const exam = examFixture({ id: 'exam-norooms', startAt: START, proctorHash: hash });
  exam.proctors = [{ id: 'p9', name: 'No room', passwordHash: hash }];
  await assert.rejects(s.importExam(exam), /at least one room/);
});

test('a media ticket plays one candidate\'s segments by URL (ranges too), no other candidate\'s, and ends with the session', async () => {
  const issued = await s.call('POST', '/api/review/candidates/cA-2/media-ticket', undefined, bearer(proctor));
  assert.equal(issued.status, 200);
  const ticket = encodeURIComponent(issued.json.ticket);
  const seg = `${s.url}/api/review/candidates/cA-2/recordings/rec-judge-cam/segments/1`;
  const whole = await fetch(`${seg}?ticket=${ticket}`);
  assert.equal(whole.status, 200);
  const ranged = await fetch(`${seg}?ticket=${ticket}`, { headers: { range: 'bytes=0-9' } });
  assert.equal(ranged.status, 206);
  assert.equal((await fetch(`${s.url}/api/review/candidates/cA-1/recordings/rec-judge-cam/segments/1?ticket=${ticket}`)).status, 403);
  assert.equal((await fetch(`${s.url}/api/review/candidates/cA-2/case?ticket=${ticket}`)).status, 401, 'a ticket reads segments, nothing else');
  assert.equal((await fetch(`${seg}?ticket=x${ticket}`)).status, 401);
  assert.equal((await s.call('POST', '/api/review/candidates/cB-1/media-ticket', undefined, bearer(proctor))).status, 403);
  await s.call('DELETE', '/api/session/proctor', undefined, bearer(proctor));
  assert.equal((await fetch(`${seg}?ticket=${ticket}`)).status, 401, 'signed out: the ticket is dead');
});

test('a verified segment is indexed in the background and its index kept beside its chunks: later reads need no pass over the chunks', async () => {
  await s.services.indexer.idle();
  const owner = { exam: 'exam1', candidate: 'cA-2' };
  const { tag, index, source } = await s.services.recordings.segmentSource(owner, 'rec-judge-cam', 1);
  assert.ok(index, 'a verified segment has a place for its index');
  assert.match(index.key, /^recordings\/exam1\/cA-2\/rec-judge-cam\/1\/index-[0-9a-f]{32}\.json$/);
  const stored = await s.services.blobs.read(index.key);
  assert.ok(stored, 'the index was stored when the recording was verified');
  const untouchable = { size: source.size, read: () => Promise.reject(new Error('the chunks were read again')) };
  const fresh = new LayoutCache(4);
  const layout = await fresh.get(tag, untouchable, index);
  const direct = await new LayoutCache(4).get(tag, source);
  assert.deepEqual([layout.size, layout.durationMs, layout.clusters], [direct.size, direct.durationMs, direct.clusters]);
  await s.services.blobs.put(index.key, new TextEncoder().encode('not an index'));
  const remade = await new LayoutCache(4).get(tag, source, index);
  assert.equal(remade.size, direct.size, 'a damaged index is made again from the chunks');
});
