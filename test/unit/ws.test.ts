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
  assert.deepEqual(replies[0], { type: 'ready', role: 'candidate', subject: 'cA-1' });
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
