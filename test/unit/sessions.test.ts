import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCESS_TOKEN_MS } from '../../server/auth/tokens.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, rooms: { A: 6 } }));
});
after(() => s.stop());

const login = (candidateId: string, deviceId: string, takeOver = false) =>
  s.call('POST', '/api/session/candidate', { candidateId, ticketCode: `T${candidateId.slice(1)}`, deviceId, takeOver });
const me = (token: string) => s.call('GET', '/api/candidate/me', undefined, bearer(token));

test('login is refused before the window opens and once the exam has started', async () => {
  const t0 = s.clock.t;
  try {
    s.clock.t = START - 30 * MIN - 1;
    const early = await login('cA-1', 'device-window-aaaaaaaaa');
    assert.equal(early.status, 403);
    assert.equal(early.json.code, 'login_not_open');
    assert.equal(early.json.details.opensAt, START - 30 * MIN);
    s.clock.t = START - 30 * MIN;
    assert.equal((await login('cA-1', 'device-window-aaaaaaaaa')).status, 200);
    s.clock.t = START;
    const late = await login('cA-6', 'device-window-bbbbbbbbb');
    assert.equal(late.status, 403);
    assert.equal(late.json.code, 'login_closed');
  } finally {
    s.clock.t = t0;
  }
});

test('a second login on another device is refused with a clear code', async () => {
  const first = await login('cA-2', 'device-one-aaaaaaaaaaa');
  assert.equal(first.status, 200);
  const second = await login('cA-2', 'device-two-aaaaaaaaaaa');
  assert.equal(second.status, 409);
  assert.equal(second.json.code, 'already_logged_in');
  assert.equal(typeof second.json.details.since, 'number');
  assert.equal((await me(first.json.token)).status, 200, 'the first session is untouched');
});

test('takeover after confirmation ends the first session; its upload credential survives', async () => {
  const first = await login('cA-3', 'device-one-bbbbbbbbbbb');
  const second = await login('cA-3', 'device-two-bbbbbbbbbbb', true);
  assert.equal(second.status, 200);
  const old = await me(first.json.token);
  assert.equal(old.status, 401);
  assert.equal(old.json.code, 'session_replaced');
  const refresh = await s.call('POST', '/api/session/refresh', { refreshToken: first.json.refreshToken });
  assert.equal(refresh.status, 401);
  assert.equal(refresh.json.code, 'session_replaced');
  assert.equal((await me(second.json.token)).status, 200);
  const claims = await s.services.sessions.authenticateUpload(first.json.uploadCredential);
  assert.equal(claims.sub, 'cA-3');
  assert.equal(claims.dev, 'device-one-bbbbbbbbbbb');
});

test('the same device logging in again is a resume, not a second login', async () => {
  const a = await login('cA-4', 'device-same-aaaaaaaaaa');
  const b = await login('cA-4', 'device-same-aaaaaaaaaa');
  assert.equal(b.status, 200);
  assert.equal((await me(b.json.token)).status, 200);
  assert.equal((await me(a.json.token)).json.code, 'session_ended', 'the older token of the same device is retired');
});

test('an expired session token is refreshed while in use; the refresh token keeps working', async () => {
  const t0 = s.clock.t;
  try {
    const a = await login('cA-5', 'device-refresh-aaaaaaa');
    s.clock.advance(ACCESS_TOKEN_MS + 1_000);
    const expired = await me(a.json.token);
    assert.equal(expired.status, 401);
    assert.equal(expired.json.code, 'unauthorized');
    const r = await s.call('POST', '/api/session/refresh', { refreshToken: a.json.refreshToken });
    assert.equal(r.status, 200);
    assert.equal(r.json.tokenExpiresAt, s.clock.t + ACCESS_TOKEN_MS);
    assert.equal((await me(r.json.token)).status, 200);
    const forged = await s.call('POST', '/api/session/refresh', { refreshToken: `${a.json.refreshToken.split('.')[0]}.forgedsecretforgedsecret` });
    assert.equal(forged.status, 401);
  } finally {
    s.clock.t = t0;
  }
});

test('the session survives past the start (reload mid-exam) but logins do not', async () => {
  const t0 = s.clock.t;
  try {
    const a = await login('cA-6', 'device-midexam-aaaaaaa');
    s.clock.t = START + 5 * MIN;
    const r = await s.call('POST', '/api/session/refresh', { refreshToken: a.json.refreshToken });
    assert.equal(r.status, 200);
    assert.equal((await me(r.json.token)).status, 200);
    assert.equal((await login('cA-6', 'device-other-aaaaaaaaa', true)).json.code, 'login_closed');
  } finally {
    s.clock.t = t0;
  }
});

test('logout ends the session but never the device upload credential', async () => {
  const a = await login('cA-1', 'device-logout-aaaaaaaa', true);
  const out = await s.call('DELETE', '/api/session/candidate', undefined, bearer(a.json.token));
  assert.equal(out.status, 204);
  assert.equal((await me(a.json.token)).json.code, 'session_ended');
  assert.equal((await s.services.sessions.authenticateUpload(a.json.uploadCredential)).sub, 'cA-1');
});

test('the upload credential outlives the session: valid until retention ends, hours offline included', async () => {
  const t0 = s.clock.t;
  try {
    const a = await login('cA-2', 'device-upload-aaaaaaaa', true);
    assert.equal(a.json.uploadCredentialExpiresAt, START + 15 * MIN + 90 * 24 * 60 * MIN);
    s.clock.t = START + 15 * MIN + 3 * 24 * 60 * MIN;
    const r = await s.call('POST', '/api/session/refresh', { refreshToken: a.json.refreshToken });
    assert.equal(r.status, 401, 'the session itself is over long after the exam');
    assert.equal((await s.services.sessions.authenticateUpload(a.json.uploadCredential)).sub, 'cA-2');
    s.clock.t = a.json.uploadCredentialExpiresAt;
    await assert.rejects(s.services.sessions.authenticateUpload(a.json.uploadCredential), /retention period ended on/);
  } finally {
    s.clock.t = t0;
  }
});

test('a candidate in several exams must name the exam', async () => {
  await s.importExam(examFixture({ id: 'exam2', startAt: START, rooms: { A: 6 } }));
  const res = await login('cA-1', 'device-ambig-aaaaaaaaa');
  assert.equal(res.status, 400);
  assert.equal(res.json.code, 'exam_ambiguous');
  const named = await s.call('POST', '/api/session/candidate', { examId: 'exam2', candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-ambig-aaaaaaaaa' });
  assert.equal(named.status, 200);
  assert.equal(named.json.examId, 'exam2');
});
