/* eslint-disable @typescript-eslint/no-unsafe-return -- the server's messages are plain JSON here; each test asserts the shape it needs */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../server/auth/password.js';
import { OFFLINE_AFTER_MS } from '../../src/core/ws-schema.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { connectWs, type WsClient } from '../helpers/ws-client.js';

// The live console's traffic over /ws (R11), against the real server in this process.
const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 10 * MIN);
  const exam = examFixture({ startAt: START, rooms: { A: 2, B: 1 }, proctorHash: await hashPassword(PROCTOR_PASSWORD), timeline: { lotteryClosesMinutesBefore: 15 } });
  exam.proctors = [...(exam.proctors ?? []), { id: 'p2', name: 'Other', passwordHash: exam.proctors![0]!.passwordHash, rooms: ['B'] }];
  await s.importExam(exam);
});
after(() => s.stop());

type Client = WsClient;
const connect = (token: string): Promise<Client> => connectWs(s.url, token);

const candidate = async (n: string) => (await s.call('POST', '/api/session/candidate', { candidateId: `c${n}`, ticketCode: `T${n}`, deviceId: `device-hub-${n}-aaaaaaaaaa` })).json;
const proctor = async (id = 'p1') => (await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: id, password: PROCTOR_PASSWORD, deviceId: `device-hub-${id}-aaaaaaaaa` })).json;
const state = (step = 'enter', bytes = 0) => ({ step, recording: false, recordings: [{ id: 'rec-hub-1', kind: 'camera', bytes }], watchedBy: 0 });

test('heartbeats give presence: the tile shows the step at once, and "offline" once the device falls silent in the exam', async () => {
  const a1 = await candidate('A-1');
  const p = await connect((await proctor()).token);
  const c = await connect(a1.token);
  c.send({ type: 'heartbeat', state: state('lottery') });
  const tile = (await p.next('tile', (m) => m.tile.id === 'cA-1' && m.tile.step === 'lottery')).tile;
  assert.equal(tile.online, true);
  assert.equal(tile.loggedIn, true);
  // In the exam, then silence: an outage opens, still-recording shown by the console.
  for (const document of ['procedure', 'pledge', 'notice']) await s.call('POST', '/api/candidate/accept', { document }, bearer(a1.token));
  assert.equal((await s.call('POST', '/api/candidate/enter', undefined, bearer(a1.token))).status, 200);
  c.send({ type: 'heartbeat', state: { ...state('exam'), recording: true } });
  await p.next('tile', (m) => m.tile.id === 'cA-1' && m.tile.step === 'exam' && m.tile.recording);
  s.clock.advance(OFFLINE_AFTER_MS + 1_000);
  const offline = (await p.next('tile', (m) => m.tile.id === 'cA-1' && m.tile.offlineSince !== null)).tile;
  assert.equal(offline.online, false);
  assert.equal(offline.outages.count, 1);
  s.clock.advance(5_000);
  // A bare beat (no state: nothing changed) is presence: the outage ends, the state stands.
  c.send({ type: 'heartbeat' });
  const back = (await p.next('tile', (m) => m.tile.id === 'cA-1' && m.tile.offlineSince === null && m.tile.online)).tile;
  assert.equal(back.step, 'exam');
  assert.equal(back.recording, true);
  assert.equal(back.outages.count, 1);
  assert.ok(back.outages.totalMs >= OFFLINE_AFTER_MS, `outage ${back.outages.totalMs} ms`);
  p.ws.close();
  c.ws.close();
});

test('signals are relayed only between a candidate and a proctor of its room; nothing else', async () => {
  const a2 = await candidate('A-2');
  const b1 = await candidate('B-1');
  const p1 = await connect((await proctor('p1')).token);
  const p2 = await connect((await proctor('p2')).token);
  const ca = await connect(a2.token);
  const cb = await connect(b1.token);
  const offer = { type: 'offer', sdp: 'v=0\r\n' };
  // The proctor of room A asks to watch cA-2: the candidate hears it, with the proctor's address.
  p1.send({ type: 'watch', candidate: 'cA-2', link: 'link-aaaaaaaa', wish: { quality: 'low', screen: false } });
  const watch = await ca.next('watch');
  assert.equal(watch.from, p1.peer);
  ca.send({ type: 'signal', to: p1.peer, link: 'link-aaaaaaaa', data: offer });
  assert.deepEqual((await p1.next('signal')).data, offer);
  p1.send({ type: 'signal', to: ca.peer, link: 'link-aaaaaaaa', data: { type: 'answer', sdp: 'v=0\r\n' } });
  assert.equal((await ca.next('signal')).from, p1.peer);
  // The candidate's rung beside the link (events only closes the link): relayed like any signal.
  ca.send({ type: 'signal', to: p1.peer, link: 'link-aaaaaaaa', data: { type: 'rung', rung: 'events' } });
  assert.deepEqual((await p1.next('signal')).data, { type: 'rung', rung: 'events' });
  // A candidate of room B cannot reach the proctor of room A, nor another candidate; nor the reverse.
  cb.send({ type: 'signal', to: p1.peer, link: 'link-bbbbbbbb', data: offer });
  assert.equal((await cb.next('error')).code, 'forbidden');
  cb.send({ type: 'signal', to: ca.peer, link: 'link-bbbbbbbb', data: offer });
  assert.equal((await cb.next('error')).code, 'forbidden');
  p2.send({ type: 'signal', to: ca.peer, link: 'link-cccccccc', data: offer });
  assert.equal((await p2.next('error')).code, 'forbidden');
  p2.send({ type: 'watch', candidate: 'cA-2', link: 'link-dddddddd', wish: { quality: 'low', screen: false } });
  assert.equal((await p2.next('error')).code, 'forbidden');
  // A candidate's token cannot act as a proctor.
  ca.send({ type: 'watch', candidate: 'cA-1', link: 'link-eeeeeeee', wish: { quality: 'low', screen: false } });
  assert.equal((await ca.next('error')).code, 'forbidden');
  assert.ok(!p1.got.some((m) => m.type === 'signal' && m.link === 'link-bbbbbbbb'), 'room B never reached room A\'s proctor');
  assert.ok(!ca.got.some((m) => m.type === 'signal' && m.link !== 'link-aaaaaaaa'));
  // The proctor leaves: the candidate is told to stop.
  p1.ws.close();
  assert.equal((await ca.next('unwatch')).link, 'link-aaaaaaaa');
  for (const c of [p2, ca, cb]) c.ws.close();
});

test("the evidence phone's live view: a watch for the phone reaches the phone, not the laptop; only the room's proctor may signal it", async () => {
  const a2 = await candidate('A-2');
  const b1 = await candidate('B-1');
  const code = (await s.call('POST', '/api/candidate/binding-code', undefined, bearer(a2.token))).json.code as string;
  const bound = await s.call('POST', '/api/phone/bind', { code, deviceId: 'phone-hub-a2-aaaaaaaa' });
  assert.equal(bound.status, 200);
  const p1 = await connect((await proctor('p1')).token);
  const p2 = await connect((await proctor('p2')).token);
  const laptop = await connect(a2.token);
  const phone = await connect(bound.json.token);
  const other = await connect(b1.token);
  assert.equal(phone.got.find((m) => m.type === 'ready').role, 'phone');
  p1.send({ type: 'watch', candidate: 'cA-2', link: 'link-phone-aaaa', wish: { quality: 'low', screen: false }, device: 'phone' });
  assert.equal((await phone.next('watch')).from, p1.peer);
  const offer = { type: 'offer', sdp: 'v=0\r\n' };
  phone.send({ type: 'signal', to: p1.peer, link: 'link-phone-aaaa', data: offer });
  assert.deepEqual((await p1.next('signal', (m) => m.link === 'link-phone-aaaa')).data, offer);
  // The phone cannot reach another room's proctor, the laptop or another candidate; they cannot reach it.
  phone.send({ type: 'signal', to: p2.peer, link: 'link-phone-bbbb', data: offer });
  assert.equal((await phone.next('error')).code, 'forbidden');
  phone.send({ type: 'signal', to: laptop.peer, link: 'link-phone-cccc', data: offer });
  assert.equal((await phone.next('error')).code, 'forbidden');
  other.send({ type: 'signal', to: phone.peer, link: 'link-phone-dddd', data: offer });
  assert.equal((await other.next('error')).code, 'forbidden');
  p2.send({ type: 'watch', candidate: 'cA-2', link: 'link-phone-eeee', wish: { quality: 'low', screen: false }, device: 'phone' });
  assert.equal((await p2.next('error')).code, 'forbidden');
  // A phone neither watches nor sends heartbeats.
  phone.send({ type: 'watch', candidate: 'cA-1', link: 'link-phone-ffff', wish: { quality: 'low', screen: false } });
  assert.equal((await phone.next('error')).code, 'forbidden');
  assert.ok(!laptop.got.some((m) => m.type === 'watch' && m.link === 'link-phone-aaaa'), 'the laptop is not asked for the phone\'s view');
  for (const c of [p1, p2, laptop, phone, other]) c.ws.close();
});

test('help chat both ways over the socket; the proctor\'s actions reach the candidate and are stored', async () => {
  const a1 = await candidate('A-1');
  const { token: pt } = await proctor();
  const p = await connect(pt);
  const c = await connect(a1.token);
  await s.call('POST', '/api/device/chat', { messages: [{ id: 'chat-hub-aaaaaaaa', text: '老师，题目看不到', at: s.clock.t }] }, bearer(a1.uploadCredential));
  assert.equal((await p.next('chat')).message.text, '老师，题目看不到');
  assert.equal((await p.next('tile', (m) => m.tile.id === 'cA-1' && m.tile.unreadChat === 1)).tile.unreadChat, 1);
  await s.call('POST', '/api/proctor/chat/cA-1', { messages: [{ id: 'chat-hub-bbbbbbbb', text: '请点【刷新题目】', at: s.clock.t }] }, bearer(pt));
  assert.equal((await c.next('chat')).message.text, '请点【刷新题目】');
  assert.equal((await p.next('tile', (m) => m.tile.id === 'cA-1' && m.tile.unreadChat === 0)).tile.unreadChat, 0, 'replying reads the thread');

  const act = (path: string, body: unknown) => s.call('POST', `/api/proctor/candidates/cA-1/${path}`, body, bearer(pt));
  const warned = await act('warning', { text: '请保持面部在画面中' });
  assert.equal(warned.status, 200);
  const warning = await c.next('chat', (m) => m.message.kind === 'warning');
  assert.equal(warning.message.text, '请保持面部在画面中');
  const extra = await act('extra-time', { minutes: 3, reason: '网络中断' });
  assert.equal(extra.json.tile.progress.extraMs, 180_000);
  assert.equal((await c.next('progress')).progress.extraMs, 180_000);
  const me = await s.call('GET', '/api/candidate/me', undefined, bearer(a1.token));
  assert.equal(me.json.progress.extraMs, 180_000, 'a device that was offline learns it from its state');
  const confirmed = await act('identity-confirm', {});
  assert.equal(confirmed.json.tile.identity.confirmedBy, 'p1');
  const ended = await act('end', { reason: '他人代考' });
  assert.equal(ended.json.tile.progress.endedBy, 'proctor');
  assert.equal((await c.next('progress', (m) => m.progress.endedAt !== null)).progress.endedBy, 'proctor');
  assert.deepEqual(ended.json.actions.map((a: { type: string; proctor: string }) => [a.type, a.proctor]),
    [['warning', 'p1'], ['extra-time', 'p1'], ['confirm-identity', 'p1'], ['end-for-cause', 'p1']]);
  const types = ended.json.events.map((e: { type: string }) => e.type);
  for (const t of ['proctor-warning', 'extra-time', 'identity-confirmed', 'ended-for-cause']) assert.ok(types.includes(t), t);
  // Outside the proctor's rooms: refused.
  const other = await s.call('POST', '/api/proctor/candidates/cB-1/warning', { text: 'x' }, bearer(pt));
  assert.equal(other.status, 403);
  p.ws.close();
  c.ws.close();
});
