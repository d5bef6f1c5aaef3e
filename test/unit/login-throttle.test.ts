import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// The throttle's counters run on real time (short delays: the test waits them out).
const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, rooms: { A: 40 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
});
after(() => s.stop());

const login = (candidateId: string, ticketCode: string, deviceId: string) =>
  s.call('POST', '/api/session/candidate', { candidateId, ticketCode, deviceId });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('guessing one ticket code: three tries a second, then growing waits with 429 and Retry-After; logged without the guesses', async () => {
  const guess = (i: number) => login('cA-1', `GUESS-${1000 + i}`, 'device-attacker-aaaaaaa');
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await guess(i)).status);
  assert.deepEqual(statuses, [401, 401, 401, 429], 'at most three tries a second, failed or not');
  await wait(1100);
  statuses.length = 0;
  for (let i = 4; i < 8; i++) statuses.push((await guess(i)).status);
  assert.deepEqual(statuses, [401, 401, 401, 429], 'five free failures; the sixth starts the waits');
  const waits: number[] = [];
  for (let i = 8; i < 11; i++) {
    const refused = await guess(i);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.code, 'too_many_attempts');
    waits.push(refused.json.details.retryAfterS);
    await wait(refused.json.details.retryAfterS * 1000 + 50);
    assert.equal((await guess(i)).status, 401, 'after the wait one more guess is checked');
  }
  assert.deepEqual(waits, [1, 2, 4], 'the waits grow: 1, 2, 4 s…');
  const res = await fetch(`${s.url}/api/session/candidate`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ candidateId: 'cA-1', ticketCode: 'GUESS-x', deviceId: 'device-attacker-aaaaaaa' }),
  });
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '8');
  // The log tells an administrator who was attacked, from where and how often — never the guess.
  const lines = s.logs.filter((l) => l.includes('login failed for candidate "cA-1"'));
  assert.equal(lines.length, 9);
  assert.match(lines.at(-1)!, /from 127\.0\.0\.1.*\(9 in a row\)/);
  assert.ok(s.logs.every((l) => !l.includes('GUESS-')), 'the guessed codes are not logged');
});

test('the real candidate: their own device gets through at once; a new device after the short wait', async () => {
  // cA-2 signs in on their laptop, then an attacker hammers the account.
  assert.equal((await login('cA-2', 'TA-2', 'device-owner-aaaaaaaaaa')).status, 200);
  for (let i = 0; i < 8; i++) await login('cA-2', `WRONG-${i}`, 'device-attacker-bbbbbbb');
  const fresh = await login('cA-2', 'TA-2', 'device-fresh-aaaaaaaaaa');
  assert.equal(fresh.status, 429, 'a device new to the account waits');
  assert.equal((await login('cA-2', 'TA-2', 'device-owner-aaaaaaaaaa')).status, 200, 'their own device is never delayed');
  await wait(fresh.json.details.retryAfterS * 1000 + 50);
  // Past the throttle, the code is right: the one-login rule answers (the laptop is still signed in).
  assert.equal((await login('cA-2', 'TA-2', 'device-fresh-aaaaaaaaaa')).json.code, 'already_logged_in', 'a new device gets through after the wait');
  const wrongOnOwner = await login('cA-2', 'WRONG-X', 'device-owner-aaaaaaaaaa');
  assert.equal(wrongOnOwner.status, 401, 'a known device still needs the right code');
});

test('the waits stay short: never more than 30 s, so an attack cannot keep a candidate out', async () => {
  for (let i = 0; i < 30; i++) await login('cA-3', `W-${i}`, 'device-attacker-ccccccc');
  const res = await login('cA-3', 'TA-3', 'device-third-aaaaaaaaaa');
  assert.equal(res.status, 429);
  assert.ok(res.json.details.retryAfterS <= 30, `waited ${res.json.details.retryAfterS} s`);
});

test('parallel guesses: only a few are checked at once, the rest are refused unchecked', async () => {
  const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => login('cA-4', `P-${i}`, 'device-attacker-ddddddd')));
  const checked = replies.filter((r) => r.status === 401).length;
  assert.ok(checked <= 3, `${checked} of 40 parallel guesses were checked`);
  assert.equal(replies.filter((r) => r.status === 429).length, 40 - checked);
});

test('one address spraying many accounts is stopped; a known device from it still signs in', async () => {
  await wait(1100);
  assert.equal((await login('cA-40', 'TA-40', 'device-spray-owner-aaaa')).status, 200);
  let refused = 0;
  for (let i = 5; i < 39; i++) if ((await login(`cA-${i}`, 'NOPE', 'device-spray-aaaaaaaaaa')).status === 429) refused++;
  assert.ok(refused >= 1, 'the 31st failure from one address in a minute is refused');
  const fresh = await login('cA-39', 'TA-39', 'device-spray-bbbbbbbbbb');
  assert.equal(fresh.status, 429);
  assert.equal(fresh.json.code, 'too_many_attempts');
  assert.equal((await login('cA-40', 'TA-40', 'device-spray-owner-aaaa')).status, 200);
});

test('proctor passwords are throttled the same way', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    statuses.push((await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: `bad-${i}`, deviceId: 'device-proctor-attack-a' })).status);
  }
  // The address above is still blocked from the spray: every attempt here is 429 or 401, at most 5 checked.
  assert.ok(statuses.filter((x) => x === 401).length <= 5);
  assert.ok(statuses.includes(429));
});
