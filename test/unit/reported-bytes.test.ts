import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { putChunk } from '../helpers/upload-client.js';

// Issue 15 item 1: completeness is bytes verified ÷ bytes the devices reported recording — and the
// devices' reports outlive a restart (before, an unverified recording showed "?" after one).
const START = Date.parse('2026-12-01T01:00:00Z');
const WEBM = 'video/webm;codecs=vp8,opus';
let s: TestServer;
let reviewer: string;

before(async () => {
  s = await startTestServer(START - 10 * MIN);
  const hash = await hashPassword(PROCTOR_PASSWORD);
  const exam = examFixture({ startAt: START, rooms: { A: 2 }, proctorHash: hash });
  exam.proctors = [...(exam.proctors ?? []), { id: 'r1', name: 'Reviewer', passwordHash: hash, role: 'reviewer' }];
  await s.importExam(exam);
  reviewer = await signIn();
});
/** The data directory a restarted server was given (stop() leaves a directory it was given). */
let restarted: string | undefined;
after(async () => {
  await s.stop();
  if (restarted) await rm(restarted, { recursive: true, force: true });
});

const signIn = async () =>
  (await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'r1', password: PROCTOR_PASSWORD, deviceId: 'device-r1-reported-aaaa' })).json.token as string;

async function login(n: number) {
  const r = await s.call('POST', '/api/session/candidate', { candidateId: `cA-${n}`, ticketCode: `TA-${n}`, deviceId: `laptop-reported-${n}-aaaaaaa` });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return { token: r.json.token as string, upload: r.json.uploadCredential as string };
}

/** A recording with one chunk of `bytes` held on the server, not completed. */
async function startRecording(cred: string, id: string, kind: string, bytes: number) {
  assert.equal((await s.call('PUT', `/api/recordings/${id}`, { kind, mimeType: WEBM }, bearer(cred))).status, 200);
  await s.call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: START + MIN, mimeType: WEBM }, bearer(cred));
  assert.equal((await putChunk(s.url, cred, id, 0, 0, new Uint8Array(randomBytes(bytes)))).status, 201);
}

async function completeness(candidate: string) {
  const list = await s.call('GET', '/api/review/candidates', undefined, bearer(reviewer));
  assert.equal(list.status, 200, JSON.stringify(list.json));
  const row = list.json.candidates.find((c: { id: string }) => c.id === candidate);
  return Object.fromEntries(row.completeness.map((c: { kind: string; recordedBytes: number | null }) => [c.kind, c.recordedBytes]));
}

const reportedOf = async (id: string) =>
  (await s.services.db.selectFrom('recordings').select('reported_bytes').where('id', '=', id).executeTakeFirstOrThrow()).reported_bytes;

test("the devices' reported bytes are written every 30 s and at shutdown: after a restart the reviewer's completeness still knows them; another candidate's recording is never written by a report", async () => {
  const one = await login(1);
  const two = await login(2);
  await startRecording(one.upload, 'rec-reported-camera', 'camera', 1_000);
  await startRecording(two.upload, 'rec-reported-other', 'camera', 1_000);
  // The phone: bound, recording its evidence, reporting per recording.
  const code = (await s.call('POST', '/api/candidate/binding-code', undefined, bearer(one.token))).json.code as string;
  const phone = (await s.call('POST', '/api/phone/bind', { code, deviceId: 'phone-reported-1-aaaaaaa' })).json;
  await startRecording(phone.uploadCredential as string, 'rec-reported-phone', 'evidence', 500);
  const status = await s.call('POST', '/api/phone/status', {
    state: 'recording', scan: null, battery: null, recordedBytes: 2_000, recordings: [{ id: 'rec-reported-phone', bytes: 2_000 }], awake: true,
  }, bearer(phone.token as string));
  assert.equal(status.status, 200, JSON.stringify(status.json));
  const beat = (recordings: { id: string; bytes: number }[]) =>
    s.services.presence.heard('exam1', 'cA-1', { step: 'exam', recording: true, watchedBy: 0, recordings: recordings.map((r) => ({ ...r, kind: 'camera' as const })) });
  await beat([{ id: 'rec-reported-camera', bytes: 4_000 }]);
  assert.deepEqual(await completeness('cA-1'), { camera: 4_000, evidence: 2_000 }, 'live: the reports as heard');
  assert.equal(await reportedOf('rec-reported-camera'), null, 'not written before the next flush');
  // A heartbeat naming (wrongly or maliciously) another candidate's recording too.
  await beat([{ id: 'rec-reported-camera', bytes: 4_000 }, { id: 'rec-reported-other', bytes: 9_999 }]);

  await s.services.reported.flush();
  assert.equal(await reportedOf('rec-reported-camera'), 4_000);
  assert.equal(await reportedOf('rec-reported-phone'), 2_000);
  assert.equal(await reportedOf('rec-reported-other'), null, "cA-1's report does not touch cA-2's recording");

  // A later report grows the figure; a smaller one (out of order) never lowers what was written.
  await beat([{ id: 'rec-reported-camera', bytes: 6_000 }]);
  await s.services.reported.flush();
  s.services.reported.note('exam1', 'cA-1', [{ id: 'rec-reported-camera', bytes: 5_000 }]);
  await s.services.reported.flush();
  assert.equal(await reportedOf('rec-reported-camera'), 6_000);
  await beat([{ id: 'rec-reported-camera', bytes: 7_000 }]);

  // The restart: what was reported since the last flush is written as the server stops.
  const { dataDir, clock } = s;
  await s.close();
  s = await startTestServer(clock.now(), dataDir);
  restarted = dataDir;
  reviewer = await signIn();
  assert.deepEqual(await completeness('cA-1'), { camera: 7_000, evidence: 2_000 }, 'after the restart, with no device heard since');
  assert.deepEqual(await completeness('cA-2'), { camera: null }, 'never reported by its own device: unknown');
});
