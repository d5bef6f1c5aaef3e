import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { WS_CLOSE } from '../../src/core/ws-schema.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;
let token: string;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START }));
  const res = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-ws-aaaaaaaaaaaa' });
  token = res.json.token;
});
after(() => s.stop());

/** Opens /ws, sends `messages`, resolves with what came back and the close code. */
function converse(messages: (string | object)[], waitFor = 1): Promise<{ replies: any[]; code: number | null }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/ws`);
    const replies: any[] = [];
    let code: number | null = null;
    const done = () => resolve({ replies, code });
    ws.on('open', () => messages.forEach((m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m))));
    ws.on('message', (d) => {
      replies.push(JSON.parse((d as Buffer).toString('utf8')));
      if (replies.length >= waitFor) ws.close();
    });
    ws.on('close', (c) => {
      code = c;
      done();
    });
    ws.on('error', reject);
  });
}

test('the first message authenticates; then pings are answered with server time', async () => {
  const { replies } = await converse([{ type: 'auth', token }, { type: 'ping', id: 7 }], 2);
  // `peer`: this socket's address for peer signaling, made fresh per socket.
  const { peer, ...ready } = replies[0] as { peer: string };
  assert.deepEqual(ready, { type: 'ready', role: 'candidate', subject: 'cA-1' });
  assert.match(peer, /^p-[A-Za-z0-9]{8,32}$/);
  assert.deepEqual(replies[1], { type: 'pong', id: 7, serverNow: s.clock.t });
});

test('anything before auth, or a bad token, closes with 4001', async () => {
  assert.equal((await converse([{ type: 'ping', id: 1 }], 99)).code, WS_CLOSE.unauthorized);
  assert.equal((await converse([{ type: 'auth', token: 'x'.repeat(40) }], 99)).code, WS_CLOSE.unauthorized);
});

test('malformed messages get an error and close with 4002; the server stays up', async () => {
  for (const bad of ['not json', '{"type":"nope"}', '[]', '{"type":"auth"}']) {
    const { replies, code } = await converse([bad], 99);
    assert.equal(code, WS_CLOSE.badMessage, bad);
    assert.equal(replies[0].type, 'error');
  }
  assert.equal((await s.call('GET', '/healthz')).status, 200);
});

test('upgrades on other paths are refused', async () => {
  await assert.rejects(new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/other`);
    ws.on('open', resolve);
    ws.on('error', reject);
  }));
});

/** An authenticated socket of `token` that collects what it receives. */
function openAuthed(url: string, authToken: string): Promise<{ ws: WebSocket; messages: any[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    const messages: any[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: authToken })));
    ws.on('message', (d) => {
      const msg = JSON.parse((d as Buffer).toString());
      messages.push(msg);
      if (msg.type === 'ready') resolve({ ws, messages, closed });
    });
    ws.on('error', reject);
  });
}

const candidateLogin = (id: string, device: string, takeOver = false) =>
  s.call('POST', '/api/session/candidate', { candidateId: id, ticketCode: `T${id.slice(1)}`, deviceId: device, takeOver });

test('a logout closes that session\'s sockets at once with session-ended', async () => {
  const a = await candidateLogin('cA-2', 'device-ws-logout-aaaaaa');
  const sock = await openAuthed(s.url, a.json.token);
  await s.call('DELETE', '/api/session/candidate', undefined, { authorization: `Bearer ${a.json.token}` });
  assert.equal(await sock.closed, WS_CLOSE.sessionEnded);
  assert.deepEqual(sock.messages.at(-1), { type: 'session-ended', reason: 'logout' });
});

test('a takeover closes the replaced device\'s sockets with session-ended', async () => {
  const a = await candidateLogin('cA-3', 'device-ws-take-aaaaaaaa');
  const sock = await openAuthed(s.url, a.json.token);
  const b = await candidateLogin('cA-3', 'device-ws-take-bbbbbbbb', true);
  assert.equal(b.status, 200);
  assert.equal(await sock.closed, WS_CLOSE.sessionEnded);
  assert.deepEqual(sock.messages.at(-1), { type: 'session-ended', reason: 'taken_over' });
});

test('a reused refresh token ends the session and its sockets', async () => {
  const a = await candidateLogin('cA-1', 'device-ws-reuse-aaaaaaa', true);
  const sock = await openAuthed(s.url, a.json.token);
  const r1 = await s.call('POST', '/api/session/refresh', { refreshToken: a.json.refreshToken });
  assert.equal(r1.status, 200);
  s.clock.advance(60_000);
  const replay = await s.call('POST', '/api/session/refresh', { refreshToken: a.json.refreshToken });
  s.clock.advance(-60_000);
  assert.equal(replay.status, 401);
  assert.equal(await sock.closed, WS_CLOSE.sessionEnded);
  assert.deepEqual(sock.messages.at(-1), { type: 'session-ended', reason: 'refresh_reuse' });
});

test('a refreshed token re-authenticates the socket; another session\'s token cannot', async () => {
  const a = await candidateLogin('cB-1', 'device-ws-reauth-aaaaaa');
  const sock = await openAuthed(s.url, a.json.token);
  const r = await s.call('POST', '/api/session/refresh', { refreshToken: a.json.refreshToken });
  sock.ws.send(JSON.stringify({ type: 'auth', token: r.json.token }));
  sock.ws.send(JSON.stringify({ type: 'ping', id: 5 }));
  await new Promise((resolve) => sock.ws.on('message', (d) => { if ((JSON.parse((d as Buffer).toString()) as { type: string }).type === 'pong') resolve(null); }));
  assert.deepEqual(sock.messages.slice(-2).map((m: { type: string }) => m.type), ['ready', 'pong']);
  const other = await candidateLogin('cB-2', 'device-ws-reauth-bbbbbb');
  sock.ws.send(JSON.stringify({ type: 'auth', token: other.json.token }));
  assert.equal(await sock.closed, WS_CLOSE.unauthorized);
});
