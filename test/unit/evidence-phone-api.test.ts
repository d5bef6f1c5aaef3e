import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BINDING_CODE_TTL_MS, formatBindingCode } from '../../src/core/evidence-phone.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { headOf, putChunk } from '../helpers/upload-client.js';

// docs/api.md, "Evidence phone".
const START = Date.parse('2026-12-01T01:00:00Z');
const WEBM = 'video/webm;codecs=vp8,opus';
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, rooms: { A: 4 } }));
});
after(() => s.stop());

const login = async (n: number) => {
  const r = await s.call('POST', '/api/session/candidate', { candidateId: `cA-${n}`, ticketCode: `TA-${n}`, deviceId: `laptop-${n}-aaaaaaaaaaaaa` });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return { token: r.json.token as string, upload: r.json.uploadCredential as string };
};
const newCode = async (token: string) => {
  const r = await s.call('POST', '/api/candidate/binding-code', undefined, bearer(token));
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json as { code: string; expiresAt: number };
};
const bind = (code: string, device: string) => s.call('POST', '/api/phone/bind', { code, deviceId: device });
const report = (token: string, state = 'recording') =>
  s.call('POST', '/api/phone/status', { state, scan: { coverage: 1, measured: true }, battery: { level: 0.8, charging: false }, recordedBytes: 1234, awake: true }, bearer(token));

test('a code binds one phone once: typed in any case with a dash; reused and expired codes are refused with why', async () => {
  const laptop = await login(1);
  const { code, expiresAt } = await newCode(laptop.token);
  assert.match(code, /^[A-HJ-NP-Z2-9]{8}$/);
  assert.equal(expiresAt, s.clock.t + BINDING_CODE_TTL_MS);
  const phone = await bind(formatBindingCode(code).toLowerCase(), 'phone-1-aaaaaaaaaaaaaaa');
  assert.equal(phone.status, 200, JSON.stringify(phone.json));
  assert.deepEqual([phone.json.examId, phone.json.candidateId], ['exam1', 'cA-1']);
  const again = await bind(code, 'phone-1b-aaaaaaaaaaaaaa');
  assert.deepEqual([again.status, again.json.code, again.json.details.reason], [401, 'binding_code_invalid', 'used']);

  const late = await newCode(laptop.token);
  s.clock.t += BINDING_CODE_TTL_MS + 1;
  try {
    const expired = await bind(late.code, 'phone-1c-aaaaaaaaaaaaaa');
    assert.deepEqual([expired.status, expired.json.details.reason], [401, 'expired']);
  } finally {
    s.clock.t -= BINDING_CODE_TTL_MS + 1;
  }
  // A new code on demand retires the one not yet used.
  const first = await newCode(laptop.token);
  await newCode(laptop.token);
  assert.equal((await bind(first.code, 'phone-1d-aaaaaaaaaaaaaa')).json.details.reason, 'unknown');

  // The laptop sees the phone; the phone reads whose evidence it records.
  const reply = await report(phone.json.token);
  assert.equal(reply.status, 200);
  // The reply carries the candidate's progress (an early end or extra time reach the phone with it).
  assert.deepEqual([reply.json.progress.endedAt, reply.json.progress.extraMs, reply.json.serverNow], [null, 0, s.clock.t]);
  const seen = (await s.call('GET', '/api/candidate/phone', undefined, bearer(laptop.token))).json.phone;
  assert.deepEqual([seen.state, seen.online, seen.report.scan, seen.replaced, seen.overdue], ['recording', true, { coverage: 1, measured: true }, 0, false]);
  // R10: not uploaded an hour after the candidate's end — flagged for the proctor (it still uploads later).
  const t0 = s.clock.t;
  try {
    s.clock.t = START + 15 * MIN + 61 * MIN;
    // (The laptop's session token has long expired by then: the status as the proctor's tile reads it.)
    const late = await s.services.phones.status('exam1', 'cA-1');
    assert.deepEqual([late?.overdue, late?.online], [true, false]);
  } finally {
    s.clock.t = t0;
  }
  const me = await s.call('GET', '/api/phone/me', undefined, bearer(phone.json.token));
  assert.deepEqual([me.json.candidate.id, me.json.uploadLimitMinutes, me.json.exam.id], ['cA-1', 60, 'exam1']);
  // A phone's session is not a candidate's.
  assert.equal((await s.call('GET', '/api/candidate/me', undefined, bearer(phone.json.token))).status, 403);
});

test("the phone's credential records only the evidence: not the camera or screen, not the laptop's recordings, not chat or the laptop's events", async () => {
  const laptop = await login(2);
  const phone = (await bind((await newCode(laptop.token)).code, 'phone-2-aaaaaaaaaaaaaaa')).json;
  const cred = phone.uploadCredential as string;
  for (const kind of ['camera', 'screen']) {
    const r = await s.call('PUT', `/api/recordings/phone-2-${kind}`, { kind, mimeType: WEBM }, bearer(cred));
    assert.deepEqual([r.status, r.json.code], [403, 'out_of_scope'], kind);
  }
  assert.equal((await s.call('PUT', '/api/recordings/laptop-2-camera', { kind: 'camera', mimeType: WEBM }, bearer(laptop.upload))).status, 200);
  assert.equal((await putChunk(s.url, cred, 'laptop-2-camera', 0, 0, new Uint8Array(randomBytes(100)))).status, 403);
  const ended = await s.call('POST', '/api/device/events', { events: [{ id: 'phone-ends-exam', type: 'ended-early', at: s.clock.t }] }, bearer(cred));
  assert.deepEqual([ended.status, ended.json.code], [403, 'out_of_scope']);
  const chat = await s.call('POST', '/api/device/chat', { messages: [{ id: 'chat-from-phone', text: 'hi', at: s.clock.t }] }, bearer(cred));
  assert.equal(chat.json.code, 'out_of_scope');
  const own = await s.call('POST', '/api/device/events', { events: [{ id: 'phone-scan-event', type: 'phone-scan', at: s.clock.t, detail: { coverage: 1 } }] }, bearer(cred));
  assert.equal(own.status, 200);
  assert.equal((await s.call('PUT', '/api/recordings/phone-2-evidence', { kind: 'evidence', mimeType: WEBM }, bearer(cred))).status, 200);
});

test('binding a second phone replaces the first: its session ends, it starts nothing new, and what it recorded before still uploads and verifies', async () => {
  const laptop = await login(3);
  const old = (await bind((await newCode(laptop.token)).code, 'phone-3-old-aaaaaaaaaaa')).json;
  const cred = old.uploadCredential as string;
  assert.equal((await s.call('PUT', '/api/recordings/phone-3-old', { kind: 'evidence', mimeType: WEBM }, bearer(cred))).status, 200);
  assert.equal((await s.call('PUT', '/api/recordings/phone-3-old/segments/0', { startedAt: s.clock.t, mimeType: WEBM }, bearer(cred))).status, 204);
  const c0 = new Uint8Array(randomBytes(3000));
  assert.equal((await putChunk(s.url, cred, 'phone-3-old', 0, 0, c0)).status, 201);
  const recordedBefore = s.clock.t + 1_000;

  s.clock.t += 60_000;
  const fresh = await bind((await newCode(laptop.token)).code, 'phone-3-new-aaaaaaaaaaa');
  assert.equal(fresh.status, 200);
  const ended = await report(old.token);
  assert.deepEqual([ended.status, ended.json.code], [401, 'phone_replaced']);
  // A segment begun before the replacement (heard of only now) is still taken; a later one is not.
  assert.equal((await s.call('PUT', '/api/recordings/phone-3-old/segments/1', { startedAt: recordedBefore, mimeType: WEBM }, bearer(cred))).status, 204);
  const after = await s.call('PUT', '/api/recordings/phone-3-old/segments/2', { startedAt: s.clock.t, mimeType: WEBM }, bearer(cred));
  assert.deepEqual([after.status, after.json.code], [403, 'phone_replaced']);
  const c1 = new Uint8Array(randomBytes(2000));
  assert.equal((await putChunk(s.url, cred, 'phone-3-old', 1, 0, c1)).status, 201);
  const head = await headOf('phone-3-old', [{ segment: 0, seq: 0, bytes: c0 }, { segment: 1, seq: 0, bytes: c1 }]);
  const done = await s.call('POST', '/api/recordings/phone-3-old/complete', { segments: [{ segment: 0, chunks: 1 }, { segment: 1, chunks: 1 }], chainHead: head }, bearer(cred));
  assert.equal(done.status, 200, JSON.stringify(done.json));
  assert.equal(typeof done.json.verifiedAt, 'number');
  // Its scan or page events no longer count; the new phone's do.
  assert.equal((await s.call('POST', '/api/device/events', { events: [{ id: 'old-phone-hidden', type: 'phone-hidden', at: s.clock.t }] }, bearer(cred))).json.code, 'device_not_current');
  assert.equal((await report(fresh.json.token)).status, 200);
  const seen = (await s.call('GET', '/api/candidate/phone', undefined, bearer(laptop.token))).json.phone;
  assert.deepEqual([seen.replaced, seen.state], [1, 'recording']);
});

test('guessing is throttled: wrong codes from one address get 429 with Retry-After, before the code is even looked up', async () => {
  const laptop = await login(4);
  const { code } = await newCode(laptop.token);
  let refused = 0;
  let throttled: Response | null = null;
  for (let i = 0; i < 15 && !throttled; i++) {
    const r = await fetch(`${s.url}/api/phone/bind`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `WRONG${String(i).padStart(3, '2')}`.slice(0, 8), deviceId: 'guesser-aaaaaaaaaaaaaaa' }) });
    if (r.status === 429) throttled = r;
    else refused++;
  }
  // Ten wrong codes a minute from one address (three came from the tests above), then a wait.
  assert.equal(refused, 10 - 3, 'ten wrong codes a minute, then a wait');
  assert.ok(throttled);
  assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
  assert.equal(((await throttled.json()) as { code: string }).code, 'too_many_attempts');
  // Even the right code waits now (from this address): the answer does not depend on the code.
  assert.equal((await bind(code, 'phone-4-aaaaaaaaaaaaaaa')).status, 429);
});
