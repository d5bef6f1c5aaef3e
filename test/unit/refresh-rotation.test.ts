import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REUSE_GRACE_MS } from '../../server/domain/refresh-tokens.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, rooms: { A: 5 } }));
});
after(() => s.stop());

const login = (n: number) => s.call('POST', '/api/session/candidate', { candidateId: `cA-${n}`, ticketCode: `TA-${n}`, deviceId: `device-rotate-${n}-aaaaaaa` });
const refresh = (refreshToken: string) => s.call('POST', '/api/session/refresh', { refreshToken });
const me = (token: string) => s.call('GET', '/api/candidate/me', undefined, bearer(token));

test('every refresh rotates the refresh token; the new one works', async () => {
  const a = await login(1);
  const r1 = await refresh(a.json.refreshToken);
  assert.equal(r1.status, 200);
  assert.notEqual(r1.json.refreshToken, a.json.refreshToken);
  assert.match(r1.json.refreshToken, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
  const r2 = await refresh(r1.json.refreshToken);
  assert.equal(r2.status, 200);
  assert.notEqual(r2.json.refreshToken, r1.json.refreshToken);
  assert.equal((await me(r2.json.token)).status, 200);
});

test('a retired refresh token used again revokes the whole session (RFC 9700 §4.14.2)', async () => {
  const a = await login(2);
  const r1 = await refresh(a.json.refreshToken);
  s.clock.advance(REUSE_GRACE_MS + 1);
  try {
    const stolen = await refresh(a.json.refreshToken);
    assert.equal(stolen.status, 401);
    assert.equal(stolen.json.code, 'session_ended');
    // The thief's copy and the legitimate holder's newer tokens die together.
    assert.equal((await refresh(r1.json.refreshToken)).json.code, 'session_ended');
    assert.equal((await me(r1.json.token)).json.code, 'session_ended');
    assert.ok(s.logs.some((l) => l.includes('retired refresh token of candidate "cA-2"')));
  } finally {
    s.clock.advance(-(REUSE_GRACE_MS + 1));
  }
});

test('a retry after a lost reply (the old token again within the grace period) is not theft', async () => {
  const a = await login(3);
  const lost = await refresh(a.json.refreshToken);
  assert.equal(lost.status, 200);
  s.clock.advance(5_000);
  try {
    const retry = await refresh(a.json.refreshToken);
    assert.equal(retry.status, 200, 'the device never saw the first reply: it may ask again');
    assert.equal((await refresh(retry.json.refreshToken)).status, 200);
  } finally {
    s.clock.advance(-5_000);
  }
});

test('a made-up secret for a real session is refused without ending the session', async () => {
  const a = await login(4);
  const sid = a.json.refreshToken.split('.')[0];
  assert.equal((await refresh(`${sid}.${'A'.repeat(43)}`)).json.code, 'unauthorized');
  assert.equal((await refresh(`${a.json.refreshToken}.extra`)).json.code, 'unauthorized');
  assert.equal((await refresh(a.json.refreshToken)).status, 200);
});
