import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { hashPassword } from '../../server/auth/password.js';
import { runCli } from '../../server/cli.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { framesBody, headOf, postFrames, putChunk } from '../helpers/upload-client.js';

const START = Date.parse('2026-12-01T01:00:00Z');
const DAY = 24 * 60 * MIN;
let s: TestServer;
let proctor: string;
const creds = new Map<string, string>();

/** A JPEG's first bytes and enough after them to pass as a login frame. */
const jpeg = (n: number) => Uint8Array.from({ length: 400 }, (_, i) => (i === 0 ? 0xff : i === 1 ? 0xd8 : (i * n) % 256));

/** One candidate's evidence: a verified recording, a login capture, events, chat, a roster photo. */
async function evidenceOf(candidate: string): Promise<void> {
  const n = Number(candidate.slice(3));
  const login = await s.call('POST', '/api/session/candidate', { candidateId: candidate, ticketCode: `TA-${n}`, deviceId: `device-retention-${n}aaaaaa` });
  const cred = login.json.uploadCredential as string;
  creds.set(candidate, cred);
  const id = `rec-retention-${n}`;
  const chunks = [0, 1].map((seq) => ({ segment: 0, seq, bytes: new Uint8Array(500).fill(seq + n) }));
  await s.call('PUT', `/api/recordings/${id}`, { kind: 'camera', mimeType: 'video/webm' }, bearer(cred));
  await s.call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: START - 5 * MIN, mimeType: 'video/webm' }, bearer(cred));
  // One chunk under its own key (a PUT), one in a request's pack (framed): retention takes both.
  assert.equal((await putChunk(s.url, cred, id, 0, 0, chunks[0]!.bytes)).status, 201);
  assert.equal((await postFrames(s.url, cred, id, framesBody([chunks[1]!]))).status, 200);
  assert.equal((await s.call('POST', `/api/recordings/${id}/complete`, { segments: [{ segment: 0, chunks: 2 }], chainHead: await headOf(id, chunks) }, bearer(cred))).status, 200);
  const cap = await fetch(`${s.url}/api/device/login-capture?faceCheck=manual`, { method: 'POST', headers: { ...bearer(cred), 'content-type': 'image/jpeg' }, body: jpeg(n) });
  assert.equal(cap.status, 201);
  assert.equal((await s.call('POST', '/api/device/events', { events: [{ id: `ev-retention-${n}`, type: 'tab-hidden', at: START - 4 * MIN }] }, bearer(cred))).status, 200);
  assert.equal((await s.call('POST', '/api/device/chat', { messages: [{ id: `chat-retention-${n}`, text: '请问', at: START - 4 * MIN }] }, bearer(cred))).status, 200);
  await s.services.blobs.put(`photos/exam1/${candidate}.jpg`, jpeg(n + 1));
}

const blobs = (p: string) => path.join(s.dataDir, 'blobs', p);

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
  for (const c of ['cA-1', 'cA-2', 'cA-3']) await evidenceOf(c);
  proctor = (await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-retention-proctor' })).json.token;
});
after(() => s.stop());

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runCli(argv, (l) => out.push(l), (l) => out.push(l), { ...s.env, DATA_DIR: s.dataDir });
  return { code, out: out.join('\n') };
}

test('a dry run lists what would go and changes nothing; before retention ends the sweep deletes nothing', async () => {
  const dry = await cli('purge', 'exam1', '--dry-run');
  assert.equal(dry.code, 0);
  assert.match(dry.out, /cA-1: would delete 1 recording\(s\) \(1000 bytes\), 1 login capture\(s\), the roster photo, \d+ event\(s\), 1 chat message\(s\)/);
  assert.match(dry.out, /dry run: nothing was changed/);
  assert.equal((await s.services.retention.sweep()).filter((e) => e.recordings > 0).length, 0, 'the exam is not past retention');
  assert.ok(existsSync(blobs('recordings/exam1/cA-1')));
  assert.ok(existsSync(blobs('recordings/exam1/cA-1/packs')));
  assert.ok(existsSync(blobs('photos/exam1/cA-1.jpg')));
  assert.equal((await s.call('GET', '/api/review/candidates/cA-1/recordings', undefined, bearer(proctor))).json.recordings.length, 1);
});

test('early erasure of one candidate: only theirs goes', async () => {
  const one = await cli('purge', 'exam1', '--candidate', 'cA-3');
  assert.equal(one.code, 0, one.out);
  assert.match(one.out, /^cA-3: deleted 1 recording/);
  assert.ok(!existsSync(blobs('recordings/exam1/cA-3')));
  assert.ok(!existsSync(blobs('captures/exam1/cA-3')));
  assert.ok(!existsSync(blobs('photos/exam1/cA-3.jpg')));
  assert.ok(existsSync(blobs('recordings/exam1/cA-1')));
  assert.equal((await cli('purge', 'exam1', '--candidate', 'nobody')).code, 1);
  assert.equal((await cli('purge', 'exam1', '--bogus')).code, 2);
});

test('past retentionDays the sweep deletes every candidate\'s evidence except a held one; a held candidate is kept until released', async () => {
  const hold = await s.call('PUT', '/api/review/candidates/cA-2/hold', { reason: 'incident under review: second person in view' }, bearer(proctor));
  assert.equal(hold.status, 200, JSON.stringify(hold.json));
  assert.equal((await s.call('PUT', '/api/review/candidates/cA-2/hold', { reason: '  ' }, bearer(proctor))).status, 400);
  const exam = (await s.services.exams.get('exam1'))!;
  s.clock.t = exam.times.retentionEndsAt + 1;
  assert.ok(exam.config.retentionDays * DAY > 0);

  const swept = await s.services.retention.sweep();
  assert.deepEqual(swept.filter((e) => e.heldFor !== null).map((e) => e.candidate), ['cA-2']);
  for (const gone of ['recordings/exam1/cA-1', 'captures/exam1/cA-1', 'photos/exam1/cA-1.jpg']) assert.ok(!existsSync(blobs(gone)), gone);
  for (const kept of ['recordings/exam1/cA-2', 'captures/exam1/cA-2', 'photos/exam1/cA-2.jpg']) assert.ok(existsSync(blobs(kept)), kept);
  const db = s.services.db;
  const rows = async (candidate: string) => ({
    recordings: (await db.selectFrom('recordings').select('id').where('candidate_id', '=', candidate).execute()).length,
    events: (await db.selectFrom('events').select('id').where('candidate_id', '=', candidate).execute()).length,
    chat: (await db.selectFrom('chat_messages').select('id').where('candidate_id', '=', candidate).execute()).length,
    identity: (await db.selectFrom('identity_checks').select('candidate_id').where('candidate_id', '=', candidate).execute()).length,
  });
  assert.deepEqual(await rows('cA-1'), { recordings: 0, events: 0, chat: 0, identity: 0 });
  const held = await rows('cA-2');
  assert.ok(held.recordings === 1 && held.events > 0 && held.chat === 1, JSON.stringify(held));
  const chunkRows = await db.selectFrom('recording_chunks').select('recording_id').execute();
  assert.deepEqual([...new Set(chunkRows.map((r) => r.recording_id))], ['rec-retention-2']);

  // Uploads after retention: refused with a reason (the credential ended with it).
  const late = await putChunk(s.url, creds.get('cA-1')!, 'rec-retention-1', 0, 2, new Uint8Array(10));
  assert.equal(late.status, 401);
  assert.match(((await late.json()) as { message: string }).message, /retention period ended on \d{4}-\d\d-\d\dT/);

  // Released (a proctor signs in again: their token of 90 days ago has long expired); the next sweep takes it too.
  const again = await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-retention-proctor' });
  assert.equal(again.status, 200, JSON.stringify(again.json));
  assert.equal((await s.call('DELETE', '/api/review/candidates/cA-2/hold', undefined, bearer(again.json.token))).status, 204);
  assert.ok((await s.services.retention.sweep()).length > 0, 'an exam with a released hold is swept again');
  assert.ok(!existsSync(blobs('recordings/exam1/cA-2')));
  assert.deepEqual(await rows('cA-2'), { recordings: 0, events: 0, chat: 0, identity: 0 });
  assert.deepEqual(await s.services.retention.sweep(), [], 'an exam erased in full is not counted again every hour');
});
