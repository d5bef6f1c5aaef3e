import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../server/auth/password.js';
import { openQuestions } from '../../src/net/open-questions.js';
import { MAX_CAPTURE_BODY } from '../../server/http/app.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, proctorHash: await hashPassword(PROCTOR_PASSWORD), rooms: { A: 4, B: 1 } }));
  await s.importExam(examFixture({ id: 'sealed', startAt: START, questionRelease: 'sealed-at-entry' }));
});
after(() => s.stop());

async function login(candidateId: string, examId = 'exam1') {
  const r = await s.call('POST', '/api/session/candidate', { examId, candidateId, ticketCode: `T${candidateId.slice(1)}`, deviceId: `dev-${candidateId}-aaaaaaaaaaaa` });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return { auth: bearer(r.json.token), upload: bearer(r.json.uploadCredential) };
}
const accept = (auth: Record<string, string>, document: string) => s.call('POST', '/api/candidate/accept', { document }, auth);

async function readyToEnter(candidateId: string, examId = 'exam1') {
  const who = await login(candidateId, examId);
  for (const d of ['procedure', 'pledge', 'notice']) assert.equal((await accept(who.auth, d)).status, 200);
  assert.equal((await s.call('POST', '/api/candidate/lottery/draw', undefined, who.auth)).status, 200);
  return who;
}

test('entry is decided by the server: window, documents, lottery; the first entry stands', async () => {
  s.clock.t = START - 20 * MIN;
  const { auth } = await login('cA-1');
  const me = await s.call('GET', '/api/candidate/me', undefined, auth);
  assert.deepEqual(me.json.accepted, { procedure: null, pledge: null, notice: null });
  assert.equal(me.json.documents.pledge['zh-CN'], 'pledge');
  const early = await s.call('POST', '/api/candidate/enter', undefined, auth);
  assert.deepEqual([early.status, early.json.code, early.json.details.opensAt], [403, 'entry_not_open', START - 15 * MIN]);
  s.clock.t = START - 10 * MIN;
  const noDocs = await s.call('POST', '/api/candidate/enter', undefined, auth);
  assert.deepEqual([noDocs.json.code, noDocs.json.details.missing], ['attachments_required', ['procedure', 'pledge', 'notice']]);
  const first = (await accept(auth, 'pledge')).json.pledge;
  s.clock.advance(1000);
  assert.equal((await accept(auth, 'pledge')).json.pledge, first, 'a repeat keeps the first time');
  await accept(auth, 'procedure');
  await accept(auth, 'notice');
  assert.equal((await s.call('POST', '/api/candidate/enter', undefined, auth)).json.code, 'lottery_required');
  await s.call('POST', '/api/candidate/lottery/draw', undefined, auth);
  const entered = await s.call('POST', '/api/candidate/enter', undefined, auth);
  assert.deepEqual(entered.json, { enteredAt: s.clock.t, endedAt: null, extraMs: 0, endedBy: null });
  s.clock.advance(5000);
  assert.deepEqual((await s.call('POST', '/api/candidate/enter', undefined, auth)).json, entered.json);
  assert.equal((await s.call('POST', '/api/candidate/accept', { document: 'other' }, auth)).status, 400);
});

test('after the lottery closed, entry assigns the missing number; after the window closed, entry is refused', async () => {
  s.clock.t = START - 10 * MIN;
  const { auth } = await login('cA-2');
  for (const d of ['procedure', 'pledge', 'notice']) await accept(auth, d);
  s.clock.t = START - 2 * MIN;
  assert.equal((await s.call('POST', '/api/candidate/enter', undefined, auth)).status, 200);
  assert.equal((await s.call('GET', '/api/candidate/me', undefined, auth)).json.lottery.method, 'auto');
  s.clock.t = START - 10 * MIN;
  const late = await readyToEnter('cA-3');
  s.clock.t = START;
  const closed = await s.call('POST', '/api/candidate/enter', undefined, late.auth);
  assert.deepEqual([closed.status, closed.json.code], [403, 'entry_closed']);
});

test('questions: encrypted at entry, the key only from the start; decrypts to the configured questions', async () => {
  s.clock.t = START - 10 * MIN;
  const { auth } = await readyToEnter('cA-4');
  assert.equal((await s.call('GET', '/api/candidate/questions', undefined, auth)).json.code, 'not_entered');
  await s.call('POST', '/api/candidate/enter', undefined, auth);
  const pkg = await s.call('GET', '/api/candidate/questions', undefined, auth);
  assert.equal(pkg.json.key, null);
  assert.equal(JSON.stringify(pkg.json).includes('Question one'), false);
  const tooEarly = await s.call('GET', '/api/candidate/questions/key', undefined, auth);
  assert.deepEqual([tooEarly.status, tooEarly.json.code, tooEarly.json.details.startAt], [403, 'too_early', START]);
  s.clock.t = START;
  const key = await s.call('GET', '/api/candidate/questions/key', undefined, auth);
  assert.ok(key.json.key.length < 100, 'the key is a few bytes');
  const opened = await openQuestions(crypto.subtle, pkg.json, key.json.key);
  assert.equal(opened.questions[0]?.text['zh-CN'], 'Question one');
  await assert.rejects(openQuestions(crypto.subtle, { ...pkg.json, examId: 'sealed' }, key.json.key), 'bound to its exam');
});

test('sealed-at-entry: the key comes with the questions at entry', async () => {
  s.clock.t = START - 20 * MIN;
  const { auth } = await readyToEnter('cA-1', 'sealed');
  s.clock.t = START - 10 * MIN;
  await s.call('POST', '/api/candidate/enter', undefined, auth);
  const pkg = await s.call('GET', '/api/candidate/questions', undefined, auth);
  assert.equal((await openQuestions(crypto.subtle, pkg.json, pkg.json.key)).questions[0]?.id, 'q1');
});

test('events: deduped by id, device credential only; an early end sent late counts from when it happened', async () => {
  s.clock.t = START - 10 * MIN;
  const who = await readyToEnter('cB-1');
  const { enteredAt } = (await s.call('POST', '/api/candidate/enter', undefined, who.auth)).json;
  const events = [
    { id: 'evt-0001-aaaa', type: 'tab-hidden', at: START + MIN, detail: { ms: 1200 } },
    { id: 'evt-0002-aaaa', type: 'ended-early', at: START + 2 * MIN },
  ];
  assert.equal((await s.call('POST', '/api/device/events', { events }, who.auth)).status, 401, 'a session token is not the device credential');
  s.clock.t = START + 30 * MIN;
  assert.deepEqual((await s.call('POST', '/api/device/events', { events }, who.upload)).json, { accepted: 2 });
  assert.deepEqual((await s.call('POST', '/api/device/events', { events }, who.upload)).json, { accepted: 0 });
  assert.deepEqual(await s.services.progress.get('exam1', 'cB-1'), { enteredAt, endedAt: START + 2 * MIN, extraMs: 0, endedBy: 'candidate' });
  const bad = await s.call('POST', '/api/device/events', { events: [{ id: 'x', type: 'nope', at: -1 }] }, who.upload);
  assert.equal(bad.status, 400);
  const stored = await s.services.events.list('exam1', 'cB-1');
  assert.deepEqual(stored.map((e) => [e.type, e.at, e.receivedAt]), [['tab-hidden', START + MIN, START + 30 * MIN], ['ended-early', START + 2 * MIN, START + 30 * MIN]]);
});

test('help chat: store-and-forward from the device, answered by the proctor of that room only', async () => {
  s.clock.t = START - 20 * MIN;
  const who = await login('cA-1');
  const msg = { id: 'chat-0001-aaaa', text: '  摄像头黑屏怎么办？ ', at: START - 21 * MIN };
  const sent = await s.call('POST', '/api/device/chat', { messages: [msg, msg] }, who.upload);
  assert.deepEqual(sent.json.messages.map((m: { text: string; from: string }) => [m.from, m.text]), [['candidate', '摄像头黑屏怎么办？']]);
  const p = await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'proctor-dev-aaaaaaaa' });
  const pa = bearer(p.json.token);
  assert.equal((await s.call('GET', '/api/proctor/chat/cA-1', undefined, pa)).json.messages.length, 1);
  await s.call('POST', '/api/proctor/chat/cA-1', { messages: [{ id: 'chat-0002-bbbb', text: '请刷新设备', at: s.clock.t }] }, pa);
  const thread = await s.call('GET', '/api/device/chat', undefined, who.upload);
  assert.deepEqual(thread.json.messages.map((m: { from: string }) => m.from), ['candidate', 'proctor']);
  assert.equal((await s.call('GET', '/api/proctor/chat/cB-1', undefined, pa)).status, 403, 'room B is not theirs');
  assert.equal((await s.call('POST', '/api/device/chat', { messages: [{ ...msg, id: 'chat-0003-aaaa', text: 'x'.repeat(2001) }] }, who.upload)).status, 400);
});

test('the upload probe answers with the bytes it got and refuses more than the JSON limit', async () => {
  const ok = await fetch(`${s.url}/api/probe`, { method: 'POST', body: new Uint8Array(48 * 1024) });
  assert.deepEqual(await ok.json(), { bytes: 48 * 1024 });
  const big = await fetch(`${s.url}/api/probe`, { method: 'POST', body: new Uint8Array(65 * 1024) });
  assert.equal(big.status, 413);
});

test('the login capture is kept as evidence with the path used (face gate passed, or manual)', async () => {
  s.clock.t = START - 10 * MIN;
  const { auth } = await login('cA-1');
  const jpeg = new Uint8Array(400).fill(7);
  jpeg.set([0xff, 0xd8, 0xff, 0xe0]);
  const res = await fetch(`${s.url}/api/candidate/login-capture?faceCheck=passed`, { method: 'POST', headers: { ...auth, 'content-type': 'image/jpeg' }, body: jpeg });
  assert.equal(res.status, 201);
  jpeg[10] = 9;
  await fetch(`${s.url}/api/candidate/login-capture`, { method: 'POST', headers: { ...auth, 'content-type': 'image/jpeg' }, body: jpeg });
  const events = await s.services.events.list('exam1', 'cA-1');
  assert.deepEqual(events.filter((e) => e.type === 'login-capture').map((e) => e.detail?.faceCheck).sort(), ['manual', 'passed']);
  const png = await fetch(`${s.url}/api/candidate/login-capture`, { method: 'POST', headers: { ...auth, 'content-type': 'image/jpeg' }, body: new Uint8Array(400) });
  assert.equal(png.status, 400);
  // A 640 px frame is larger than JSON bodies may be; it has its own limit.
  const large = new Uint8Array(200 * 1024).fill(5);
  large.set([0xff, 0xd8, 0xff, 0xe0]);
  const kept = await fetch(`${s.url}/api/candidate/login-capture?faceCheck=passed`, { method: 'POST', headers: { ...auth, 'content-type': 'image/jpeg' }, body: large });
  assert.equal(kept.status, 201);
  const huge = new Uint8Array(MAX_CAPTURE_BODY + 1).fill(5);
  huge.set([0xff, 0xd8, 0xff, 0xe0]);
  const refused = await fetch(`${s.url}/api/candidate/login-capture`, { method: 'POST', headers: { ...auth, 'content-type': 'image/jpeg' }, body: huge });
  assert.equal(refused.status, 413);
});
