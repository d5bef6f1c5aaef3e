import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { hashPassword } from '../../server/auth/password.js';
import { MAX_JSON_BODY } from '../../server/http/app.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;
const DEV = 'device-aaaaaaaaaaaaaaaa';

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
});
after(() => s.stop());

const login = (candidateId = 'cA-1', ticketCode = 'TA-1', deviceId = DEV) =>
  s.call('POST', '/api/session/candidate', { candidateId, ticketCode, deviceId });

test('GET /healthz and /api/time', async () => {
  assert.deepEqual(await s.call('GET', '/healthz'), { status: 200, json: { ok: true, db: 'ok', store: 'ok', redis: 'off', sockets: 0 } });
  const time = await s.call('GET', '/api/time');
  assert.equal(time.status, 200);
  assert.equal(time.json.now, s.clock.t);
});

test('the public exam list gives title, times and help line, never the roster', async () => {
  const { status, json } = await s.call('GET', '/api/exams');
  assert.equal(status, 200);
  assert.equal(json.exams.length, 1);
  assert.equal(json.exams[0].helpLine['zh-CN'], '400-000-0000');
  assert.equal(json.exams[0].times.startAt, START);
  assert.equal(JSON.stringify(json).includes('TA-1'), false);
});

test('malformed and invalid bodies: 400 with every problem by path', async () => {
  const notJson = await s.call('POST', '/api/session/candidate', '{oops');
  assert.equal(notJson.status, 400);
  assert.equal(notJson.json.code, 'bad_request');
  const bad = await s.call('POST', '/api/session/candidate', { candidateId: '../etc', deviceId: 'x' });
  assert.equal(bad.status, 400);
  const paths = bad.json.details.issues.map((i: { path: string }) => i.path).sort();
  assert.deepEqual(paths, ['candidateId', 'deviceId', 'ticketCode']);
  const arr = await s.call('POST', '/api/session/candidate', [1, 2]);
  assert.equal(arr.status, 400);
});

test('wrong content type: 415; oversized body: 413; unknown endpoint: 404 JSON', async () => {
  const res = await fetch(`${s.url}/api/session/candidate`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(res.status, 415);
  assert.equal(((await res.json()) as { code: string }).code, 'unsupported_media_type');
  const big = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'x'.repeat(MAX_JSON_BODY + 10), deviceId: DEV });
  assert.equal(big.status, 413);
  assert.equal(big.json.code, 'payload_too_large');
  const none = await s.call('GET', '/api/nope');
  assert.equal(none.status, 404);
  assert.equal(none.json.code, 'not_found');
});

test('wrong ticket code or unknown candidate: 401 invalid_credentials', async () => {
  for (const [id, code] of [['cA-1', 'wrong'], ['nobody', 'TA-1'], ['cA-1', 'TA-2']] as const) {
    const res = await login(id, code);
    assert.equal(res.status, 401, `${id}/${code}`);
    assert.equal(res.json.code, 'invalid_credentials');
  }
});

test('authenticated routes: no, malformed or forged token is 401; wrong role is 403', async () => {
  assert.equal((await s.call('GET', '/api/candidate/me')).status, 401);
  assert.equal((await s.call('GET', '/api/candidate/me', undefined, { authorization: 'Basic abc' })).status, 401);
  const ok = await login('cA-2', 'TA-2', 'device-forge-aaaaaaaaaa');
  const [h, p] = ok.json.token.split('.');
  const forged = `${h}.${p}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
  const res = await s.call('GET', '/api/candidate/me', undefined, bearer(forged));
  assert.equal(res.status, 401);
  assert.equal(res.json.code, 'unauthorized');
  // The upload credential is not a session token.
  assert.equal((await s.call('GET', '/api/candidate/me', undefined, bearer(ok.json.uploadCredential))).status, 401);
  const asProctor = await s.call('GET', '/api/proctor/roster', undefined, bearer(ok.json.token));
  assert.equal(asProctor.status, 403);
  assert.equal(asProctor.json.code, 'forbidden');
});

test('a candidate sees their own record, exam times and server time', async () => {
  const { json } = await login('cA-3', 'TA-3', 'device-me-aaaaaaaaaaaaa');
  assert.equal(json.examId, 'exam1');
  const me = await s.call('GET', '/api/candidate/me', undefined, bearer(json.token));
  assert.equal(me.status, 200);
  assert.equal(me.json.candidate.id, 'cA-3');
  assert.equal(me.json.candidate.roomName, 'Room A');
  assert.equal(me.json.exam.times.startAt, START);
  assert.equal(me.json.serverNow, s.clock.t);
  assert.equal(me.json.lottery, null);
});

test('proctors log in with a password and see only their rooms', async () => {
  const bad = await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: 'nope', deviceId: DEV });
  assert.equal(bad.status, 401);
  assert.equal(bad.json.code, 'invalid_credentials');
  const unknown = await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p9', password: PROCTOR_PASSWORD, deviceId: DEV });
  assert.equal(unknown.status, 401);
  const ok = await s.call('POST', '/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: DEV });
  assert.equal(ok.status, 200);
  const roster = await s.call('GET', '/api/proctor/roster', undefined, bearer(ok.json.token));
  assert.equal(roster.status, 200);
  assert.deepEqual(roster.json.rooms.map((r: { id: string }) => r.id), ['A']);
  assert.equal(roster.json.rooms[0].candidates.length, 3);
  const asCandidate = await s.call('GET', '/api/candidate/me', undefined, bearer(ok.json.token));
  assert.equal(asCandidate.status, 403);
});

test('the server survives garbage: random bodies on every endpoint never give a 5xx', async () => {
  const bodies = ['', 'null', '"str"', '{"candidateId":{"$gt":""}}', '{"refreshToken":"a.b"}', '\u0000\u0001', '{"a":'.repeat(500)];
  for (const path of ['/api/session/candidate', '/api/session/proctor', '/api/session/refresh', '/api/candidate/lottery/draw']) {
    for (const body of bodies) {
      const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.ok(res.status >= 400 && res.status < 500, `${path} ${JSON.stringify(body)} → ${res.status}`);
      const json = (await res.json()) as { code: string; message: string };
      assert.equal(typeof json.code, 'string');
      assert.equal(typeof json.message, 'string');
    }
  }
  assert.equal((await s.call('GET', '/healthz')).status, 200);
});

test('a connection kept alive outlasts the clients\' 10 s event interval (Node\'s own 5 s would not)', async () => {
  const agent = new http.Agent({ keepAlive: true });
  const get = () => new Promise<{ reused: boolean; port: number }>((resolve, reject) => {
    const req = http.get(`${s.url}/api/time`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ reused: req.reusedSocket, port: req.socket?.localPort ?? 0 }));
    });
    req.on('error', reject);
  });
  try {
    const first = await get();
    await new Promise((r) => setTimeout(r, 6_000));
    const second = await get();
    assert.deepEqual([second.reused, second.port], [true, first.port], 'the same connection, 6 s later');
  } finally {
    agent.destroy();
  }
});

test('a request without a Host header (HTTP/1.0, as a load balancer\'s health check sends) is answered', async () => {
  const { port } = new URL(s.url);
  const reply = await new Promise<string>((resolve, reject) => {
    // Sent, not half-closed: a checker waits for the reply, and the server closes an HTTP/1.0 connection after it.
    const socket = net.createConnection(Number(port), '127.0.0.1', () => socket.write('GET /healthz HTTP/1.0\r\n\r\n'));
    let out = '';
    socket.on('data', (d: Buffer) => { out += d.toString(); });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.[01] 200 /);
});
