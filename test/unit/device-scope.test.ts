import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { headOf, putChunk } from '../helpers/upload-client.js';

// docs/api.md, "Which device speaks for the candidate".
const START = Date.parse('2026-12-01T01:00:00Z');
const WEBM = 'video/webm;codecs=vp8,opus';
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 10 * MIN);
  await s.importExam(examFixture({ startAt: START, rooms: { A: 3 }, timeline: { lotteryClosesMinutesBefore: 15 } }));
});
after(() => s.stop());

const login = (n: number, device: string, takeOver = false) =>
  s.call('POST', '/api/session/candidate', { candidateId: `cA-${n}`, ticketCode: `TA-${n}`, deviceId: device, takeOver });
const events = (cred: string, list: { id: string; type: string; at: number }[]) => s.call('POST', '/api/device/events', { events: list }, bearer(cred));

async function enter(token: string): Promise<void> {
  for (const document of ['procedure', 'pledge', 'notice']) await s.call('POST', '/api/candidate/accept', { document }, bearer(token));
  const res = await s.call('POST', '/api/candidate/enter', undefined, bearer(token));
  assert.equal(res.status, 200, JSON.stringify(res.json));
}

test('after a takeover the old device cannot end the exam, chat or read the chat; its recording still uploads and verifies', async () => {
  const old = await login(1, 'device-scope-old-aaaaaa');
  await enter(old.json.token);
  // The old device started recording before it was taken over.
  const cred = old.json.uploadCredential as string;
  assert.equal((await s.call('PUT', '/api/recordings/rec-scope-old', { kind: 'camera', mimeType: WEBM }, bearer(cred))).status, 200);
  const c0 = new Uint8Array(randomBytes(3000));
  assert.equal((await putChunk(s.url, cred, 'rec-scope-old', 0, 0, c0)).status, 201);

  const fresh = await login(1, 'device-scope-new-aaaaaa', true);
  assert.equal(fresh.status, 200);

  const end = await events(cred, [{ id: 'end-from-old-device', type: 'ended-early', at: s.clock.t }]);
  assert.equal(end.status, 403);
  assert.equal(end.json.code, 'device_not_current');
  assert.equal((await s.call('GET', '/api/candidate/me', undefined, bearer(fresh.json.token))).json.progress.endedAt, null, 'the exam goes on');
  const chat = await s.call('POST', '/api/device/chat', { messages: [{ id: 'chat-from-old-dev', text: 'hi', at: s.clock.t }] }, bearer(cred));
  assert.equal(chat.json.code, 'device_not_current');
  assert.equal((await s.call('GET', '/api/device/chat', undefined, bearer(cred))).json.code, 'device_not_current');
  assert.equal((await events(cred, [{ id: 'tab-from-old-dev', type: 'tab-hidden', at: s.clock.t }])).json.code, 'device_not_current');

  // What it may still do: its own recording's problems, and uploading what it recorded.
  assert.equal((await events(cred, [{ id: 'full-from-old-dev', type: 'storage-full', at: s.clock.t }])).status, 200);
  const c1 = new Uint8Array(randomBytes(2000));
  assert.equal((await putChunk(s.url, cred, 'rec-scope-old', 0, 1, c1)).status, 201);
  const head = await headOf('rec-scope-old', [{ segment: 0, seq: 0, bytes: c0 }, { segment: 0, seq: 1, bytes: c1 }]);
  const done = await s.call('POST', '/api/recordings/rec-scope-old/complete', { segments: [{ segment: 0, chunks: 2 }], chainHead: head }, bearer(cred));
  assert.equal(done.status, 200);
  assert.equal(typeof done.json.verifiedAt, 'number');

  // The new device speaks; it cannot write into the old device's recording, nor the old into new ones.
  const newCred = fresh.json.uploadCredential as string;
  assert.equal((await events(newCred, [{ id: 'tab-from-new-dev', type: 'tab-hidden', at: s.clock.t }])).status, 200);
  assert.equal((await putChunk(s.url, newCred, 'rec-scope-old', 1, 0, c0)).status, 403);
  assert.equal((await s.call('PUT', '/api/recordings/rec-scope-new', { kind: 'camera', mimeType: WEBM }, bearer(newCred))).status, 200);
  assert.equal((await putChunk(s.url, cred, 'rec-scope-new', 0, 0, c0)).status, 403);
});

test('after a logout the device only uploads; a new login on it speaks again', async () => {
  const a = await login(2, 'device-scope-logout-aaa');
  const cred = a.json.uploadCredential as string;
  assert.equal((await events(cred, [{ id: 'before-logout-1', type: 'tab-hidden', at: s.clock.t }])).status, 200);
  await s.call('DELETE', '/api/session/candidate', undefined, bearer(a.json.token));
  assert.equal((await events(cred, [{ id: 'after-logout-1', type: 'tab-hidden', at: s.clock.t }])).json.code, 'device_not_current');
  const again = await login(2, 'device-scope-logout-aaa');
  assert.equal((await events(again.json.uploadCredential, [{ id: 'after-relogin-1', type: 'tab-hidden', at: s.clock.t }])).status, 200);
  // The earlier credential of the same device speaks again too: it is the same device.
  assert.equal((await events(cred, [{ id: 'after-relogin-2', type: 'tab-hidden', at: s.clock.t }])).status, 200);
});

test('an expired session does not silence its device: hours after the exam it still posts', async () => {
  const a = await login(3, 'device-scope-expire-aaa');
  const t0 = s.clock.t;
  try {
    s.clock.t = START + 3 * 24 * 60 * MIN;
    assert.equal((await s.call('POST', '/api/session/refresh', { refreshToken: a.json.refreshToken })).status, 401);
    assert.equal((await events(a.json.uploadCredential, [{ id: 'late-event-1', type: 'online', at: s.clock.t }])).status, 200);
  } finally {
    s.clock.t = t0;
  }
});
