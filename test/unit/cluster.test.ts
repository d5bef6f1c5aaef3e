import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { connectWs } from '../helpers/ws-client.js';

/**
 * Two server processes' worth of servers on one state (the same data directory — SQLite in the
 * unit pass, one PostgreSQL database in the PostgreSQL pass) and one real redis-server: what one
 * process hears reaches sockets held by the other, and the cluster-wide jobs have one leader.
 */
const START = Date.parse('2026-12-01T01:00:00Z');
let redis: TestRedis;
let dir: string;
let a: TestServer;
let b: TestServer;
const stopped = new Set<TestServer>();

before(async () => {
  redis = await startRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-cluster-'));
  const env = { ...process.env, REDIS_URL: redis.url, LEADER_LEASE_SECONDS: '1' };
  a = await startTestServer(START - 20 * MIN, dir, undefined, env);
  b = await startTestServer(START - 20 * MIN, dir, undefined, env);
  await a.importExam(examFixture({ startAt: START, rooms: { A: 2, B: 1 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
});
after(async () => {
  for (const s of [a, b]) if (s && !stopped.has(s)) await s.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const login = (s: TestServer, n: string, device: string, takeOver = false) =>
  s.call('POST', '/api/session/candidate', { candidateId: `c${n}`, ticketCode: `T${n}`, deviceId: device, takeOver });
const state = (step: string) => ({ step, recording: false, recordings: [], watchedBy: 0 });

test('a candidate on one process, their proctor on the other: presence, watch, signals both ways, chat both ways; a takeover there closes the socket here', async () => {
  assert.ok(a.logs.some((l) => l.includes('bus: live notices shared')), a.logs.join('\n'));
  const cand = (await login(a, 'A-1', 'device-cluster-1-aaaaaaaa')).json;
  const other = (await login(a, 'B-1', 'device-cluster-b-aaaaaaaa')).json;
  const proctor = (await b.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-cluster-p-aaaaaaaa' })).json;
  const p = await connectWs(b.url, proctor.token);
  const c = await connectWs(a.url, cand.token);
  const stranger = await connectWs(a.url, other.token);

  c.send({ type: 'heartbeat', state: state('lottery') });
  const tile = (await p.next('tile', (m) => m.tile.id === 'cA-1' && m.tile.step === 'lottery')).tile;
  assert.equal(tile.online, true, 'a heartbeat on process A is presence on process B');

  p.send({ type: 'watch', candidate: 'cA-1', link: 'link-cluster-1', wish: { quality: 'low', screen: false } });
  assert.equal((await c.next('watch')).from, p.peer);
  const offer = { type: 'offer', sdp: 'v=0\r\n' };
  c.send({ type: 'signal', to: p.peer, link: 'link-cluster-1', data: offer });
  assert.deepEqual((await p.next('signal')).data, offer);
  p.send({ type: 'signal', to: c.peer, link: 'link-cluster-1', data: { type: 'answer', sdp: 'v=0\r\n' } });
  assert.equal((await c.next('signal')).from, p.peer);
  // A candidate of another room is not relayed to this proctor, across processes either.
  stranger.send({ type: 'signal', to: p.peer, link: 'link-cluster-2', data: offer });

  await a.call('POST', '/api/device/chat', { messages: [{ id: 'chat-cluster-aaaaaaaa', text: '老师，听不到声音', at: a.clock.t }] }, bearer(cand.uploadCredential));
  assert.equal((await p.next('chat')).message.text, '老师，听不到声音');
  await b.call('POST', '/api/proctor/chat/cA-1', { messages: [{ id: 'chat-cluster-bbbbbbbb', text: '请检查耳机', at: b.clock.t }] }, bearer(proctor.token));
  assert.equal((await c.next('chat')).message.text, '请检查耳机');
  assert.ok(!p.got.some((m) => m.type === 'signal' && m.link === 'link-cluster-2'), 'room B never reached room A\'s proctor');

  // The proctor leaves (socket on B): the candidate on A is told to stop sending.
  p.ws.close();
  assert.equal((await c.next('unwatch')).link, 'link-cluster-1');

  // The same candidate signs in on another device through process B: the socket on A is ended.
  assert.equal((await login(b, 'A-1', 'device-cluster-2-aaaaaaaa', true)).status, 200);
  assert.equal((await c.next('session-ended')).reason, 'taken_over');
  stranger.ws.close();
});

test('one process leads the cluster-wide jobs; when it stops, the other takes the lead and runs them', async () => {
  const leaders = [a, b].filter((s) => s.services.leader.leading);
  assert.equal(leaders.length, 1, 'exactly one leader');
  const [leader, follower] = leaders[0] === a ? [a, b] : [b, a];
  await leader.stop();
  stopped.add(leader);
  for (let i = 0; !follower.services.leader.leading; i++) {
    if (i > 40) assert.fail('the other process did not take the lead');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(follower.logs.some((l) => l.startsWith('leader: this process runs the lottery and retention jobs')), follower.logs.join('\n'));
  // The new leader runs the lottery: past its close, everyone without a number gets one.
  follower.clock.t = START - 5 * MIN;
  await follower.scheduler.poke();
  assert.ok(follower.logs.some((l) => /lottery: assigned 3 number\(s\) automatically in exam exam1/.test(l)), follower.logs.join('\n'));
});
