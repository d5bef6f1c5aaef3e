import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { ExamConfig } from '../../src/core/exam-schema.js';
import { WS_CLOSE } from '../../src/core/ws-schema.js';
import { startServer, type RunningServer } from '../../server/start-server.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { rawConnect, text } from '../helpers/raw-ws.js';

// A server with a fast heartbeat and small caps, to see them act.
let dir: string;
let server: RunningServer;
let token: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-wslimits-'));
  server = await startServer({
    port: 0, host: '127.0.0.1', dataDir: dir, log: () => {},
    signaling: { heartbeatMs: 150, maxPerSubject: 2, maxPendingPerAddress: 3 },
  });
  await server.services.exams.put(ExamConfig.parse(examFixture({ startAt: Date.now() + 20 * MIN })));
  const res = await fetch(`${server.url}/api/session/candidate`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-limits-aaaaaaaaa' }),
  });
  token = ((await res.json()) as { token: string }).token;
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function authed(): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    const closed = new Promise<number>((r) => ws.on('close', (c) => r(c)));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.on('message', () => resolve({ ws, closed }));
    ws.on('error', reject);
  });
}

test('a peer that stops answering pings is dropped by the heartbeat; one that answers stays', async () => {
  const silent = await rawConnect(server.url);
  silent.send(text(JSON.stringify({ type: 'auth', token })));
  const live = await authed();
  // The raw client never answers the server's pings: terminated (no close frame) within two beats.
  const code = await Promise.race([silent.closed, new Promise((r) => setTimeout(() => r('still open'), 2000))]);
  assert.equal(code, null);
  assert.equal(live.ws.readyState, WebSocket.OPEN, 'ws answers pings by itself');
  live.ws.close();
});

test('one user beyond the per-subject cap: the oldest socket is closed (replaced)', async () => {
  const a = await authed();
  const b = await authed();
  const c = await authed();
  assert.equal(await a.closed, WS_CLOSE.replaced);
  assert.equal(b.ws.readyState, WebSocket.OPEN);
  assert.equal(c.ws.readyState, WebSocket.OPEN);
  b.ws.close();
  c.ws.close();
});

test('sockets waiting to authenticate beyond the per-address cap: the oldest goes first', async () => {
  const waiting = [];
  for (let i = 0; i < 5; i++) waiting.push(await rawConnect(server.url));
  assert.equal(await waiting[0]!.closed, WS_CLOSE.tooMany);
  assert.equal(await waiting[1]!.closed, WS_CLOSE.tooMany);
  for (const w of waiting) w.socket.destroy();
});
