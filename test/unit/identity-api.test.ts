import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExamConfigInput } from '../../src/core/exam-schema.js';
import { photoKey } from '../../server/domain/identity.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
let s: TestServer;

function matchExam(id: string, match: Record<string, unknown>): ExamConfigInput {
  const exam = examFixture({ id, startAt: START, rooms: { A: 4 } }) as any;
  exam.face = { match: { enabled: true, ...match } };
  for (const c of exam.roster.slice(0, 3)) c.photo = `photos/${c.id}.png`;
  return exam as ExamConfigInput;
}

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(matchExam('fm', { threshold: 0.6 }));
  await s.importExam(matchExam('fm-keep', { threshold: 0.5, storeDescriptors: true }));
  await s.importExam(examFixture({ id: 'plain', startAt: START }));
  for (const exam of ['fm', 'fm-keep']) {
    for (const c of ['cA-1', 'cA-2', 'cA-3']) await s.services.blobs.put(photoKey(exam, c, `${c}.png`), PNG);
  }
});
after(() => s.stop());

async function login(candidateId: string, examId: string) {
  const r = await s.call('POST', '/api/session/candidate', { examId, candidateId, ticketCode: `T${candidateId.slice(1)}`, deviceId: `dev-${examId}-${candidateId}-aaaaaaaa` });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return { auth: bearer(r.json.token), upload: bearer(r.json.uploadCredential) };
}
const matchOf = async (auth: Record<string, string>): Promise<unknown> => (await s.call('GET', '/api/candidate/me', undefined, auth)).json.face.match;
const events = (exam: string, candidate: string) => s.services.events.list(exam, candidate);
const row = (exam: string, candidate: string) => s.services.db.selectFrom('identity_checks').selectAll()
  .where('exam_id', '=', exam).where('candidate_id', '=', candidate).executeTakeFirst();

test('the reference photo comes only after consent; the device reports, the server decides by its own threshold', async () => {
  const { auth } = await login('cA-1', 'fm');
  assert.deepEqual(await matchOf(auth), { enabled: true, threshold: 0.6, storesDescriptors: false, hasReference: true, consent: null, path: null });
  const early = await s.call('GET', '/api/candidate/face-match/reference', undefined, auth);
  assert.deepEqual([early.status, early.json.code], [403, 'consent_required']);
  assert.equal((await s.call('POST', '/api/candidate/face-match/result', { path: 'matched', similarity: 0.9 }, auth)).json.code, 'consent_required');

  const consent = await s.call('POST', '/api/candidate/face-match/consent', { consent: true }, auth);
  assert.deepEqual(consent.json.consent, { given: true, at: s.clock.t });
  const photo = await fetch(`${s.url}/api/candidate/face-match/reference`, { headers: auth });
  assert.equal(photo.headers.get('content-type'), 'image/png');
  assert.deepEqual(new Uint8Array(await photo.arrayBuffer()), PNG);

  // The device says "matched" at 0.55: the server's threshold is 0.6.
  const result = await s.call('POST', '/api/candidate/face-match/result', { path: 'matched', similarity: 0.55 }, auth);
  assert.equal(result.json.path, 'not-matched');
  const again = await s.call('POST', '/api/candidate/face-match/result', { path: 'matched', similarity: 0.95 }, auth);
  assert.equal(again.json.path, 'not-matched', 'the first outcome stands');
  const stored = await row('fm', 'cA-1');
  assert.deepEqual([stored?.path, stored?.similarity, stored?.threshold, stored?.descriptors], ['not-matched', 0.55, 0.6, null]);
  const logged = (await events('fm', 'cA-1')).filter((e) => e.type === 'face-match');
  assert.deepEqual(logged.map((e) => e.detail), [{ path: 'not-matched', liveCheck: true, similarity: 0.55 }]);
});

test('declining records the non-face path at once, with its time; the photo is never sent', async () => {
  const { auth } = await login('cA-2', 'fm');
  const declined = await s.call('POST', '/api/candidate/face-match/consent', { consent: false }, auth);
  assert.deepEqual([declined.json.path, declined.json.consent], ['declined', { given: false, at: s.clock.t }]);
  assert.equal((await s.call('GET', '/api/candidate/face-match/reference', undefined, auth)).json.code, 'consent_required');
  const later = await s.call('POST', '/api/candidate/face-match/consent', { consent: true }, auth);
  assert.equal(later.json.path, 'declined', 'the first answer stands');
  const logged = (await events('fm', 'cA-2')).filter((e) => e.type === 'face-match');
  assert.deepEqual(logged.map((e) => [e.detail, e.at]), [[{ path: 'declined', liveCheck: true }, s.clock.t]]);
});

test('descriptors are refused unless the exam keeps them, and kept when it does', async () => {
  const descriptors = { capture: Array.from({ length: 64 }, (_, i) => i / 64), reference: Array.from({ length: 64 }, (_, i) => 1 - i / 64) };
  const a = await login('cA-3', 'fm');
  await s.call('POST', '/api/candidate/face-match/consent', { consent: true }, a.auth);
  const refused = await s.call('POST', '/api/candidate/face-match/result', { path: 'matched', similarity: 0.9, descriptors }, a.auth);
  assert.deepEqual([refused.status, refused.json.code], [400, 'descriptors_not_stored']);
  assert.equal((await row('fm', 'cA-3'))?.path, null, 'nothing recorded from a refused report');

  const b = await login('cA-1', 'fm-keep');
  assert.equal((await matchOf(b.auth) as { storesDescriptors: boolean }).storesDescriptors, true);
  await s.call('POST', '/api/candidate/face-match/consent', { consent: true }, b.auth);
  const kept = await s.call('POST', '/api/candidate/face-match/result', { path: 'matched', similarity: 0.5, descriptors }, b.auth);
  assert.equal(kept.json.path, 'matched', 'at the threshold it matches');
  assert.deepEqual(JSON.parse((await row('fm-keep', 'cA-1'))?.descriptors ?? 'null'), descriptors);
});

test('no photo: the path is no-reference without asking; exams without face match refuse the calls', async () => {
  const { auth } = await login('cA-4', 'fm');
  assert.deepEqual(await matchOf(auth), { enabled: true, threshold: 0.6, storesDescriptors: false, hasReference: false, consent: null, path: 'no-reference' });
  const plain = await login('cA-1', 'plain');
  assert.equal((await matchOf(plain.auth) as { enabled: boolean }).enabled, false);
  const off = await s.call('POST', '/api/candidate/face-match/consent', { consent: true }, plain.auth);
  assert.deepEqual([off.status, off.json.code], [409, 'face_match_off']);
  assert.equal((await s.call('POST', '/api/candidate/face-match/consent', { consent: 'yes' }, plain.auth)).status, 400);
});

test('a device cannot forge the identity path through its event outbox', async () => {
  const { upload } = await login('cA-2', 'plain');
  const forged = await s.call('POST', '/api/device/events', { events: [{ id: 'identity-path', type: 'face-match', at: s.clock.t, detail: { path: 'matched' } }] }, upload);
  assert.deepEqual([forged.status, forged.json.code], [400, 'bad_request']);
  assert.equal((await events('plain', 'cA-2')).length, 0);
});
