import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { ExamConfig } from '../../src/core/exam-schema.js';
import { WS_CLOSE } from '../../src/core/ws-schema.js';
import { createServices } from '../../server/services.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { frame, rawConnect, text } from '../helpers/raw-ws.js';

// The server as its own process: a frame that could end it would end this test's server, not
// the test runner — and the test can tell.
let dir: string;
let server: ChildServer;
let token: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-wsfuzz-'));
  const services = await createServices(dir, { log: () => {} });
  await services.exams.put(ExamConfig.parse(examFixture({ startAt: Date.now() + 20 * MIN })));
  await services.db.destroy();
  server = await spawnServer(dir, 'server/main.ts', [], { WS_HEARTBEAT_SECONDS: '30' });
  const res = await fetch(`${server.url}/api/session/candidate`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-fuzz-aaaaaaaaaaa' }),
  });
  token = ((await res.json()) as { token: string }).token;
});
after(async () => {
  await server.kill();
  await rm(dir, { recursive: true, force: true });
});

/** Still up: the process lives, /healthz answers, an honest client authenticates and gets pong. */
async function assertServing(): Promise<void> {
  assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  const pong = await new Promise<unknown>((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token }));
      ws.send(JSON.stringify({ type: 'ping', id: 42 }));
    });
    ws.on('message', (d) => {
      const msg = JSON.parse((d as Buffer).toString()) as { type: string };
      if (msg.type === 'pong') {
        resolve(msg);
        ws.close();
      }
    });
    ws.on('error', reject);
  });
  assert.equal((pong as { id: number }).id, 42);
}

const CASES: { name: string; bytes: () => Uint8Array; code: number | null }[] = [
  { name: 'a text frame over the 64 KiB limit', bytes: () => text('x'.repeat(64 * 1024 + 1)), code: 1009 },
  { name: 'a frame declaring 2^62 bytes', bytes: () => frame({ opcode: 0x1, declaredLength: 2n ** 62n }), code: 1009 },
  { name: 'a reserved data opcode (0x3)', bytes: () => frame({ opcode: 0x3, payload: 'x' }), code: 1002 },
  { name: 'a reserved control opcode (0xB)', bytes: () => frame({ opcode: 0xb }), code: 1002 },
  { name: 'invalid UTF-8 in a text frame', bytes: () => text(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), code: 1007 },
  { name: 'an unmasked client frame', bytes: () => frame({ opcode: 0x1, payload: '{}', mask: false }), code: 1002 },
  { name: 'RSV1 set without an extension', bytes: () => frame({ opcode: 0x1, payload: '{}', rsv: 4 }), code: 1002 },
  { name: 'RSV2 and RSV3 set', bytes: () => frame({ opcode: 0x1, payload: '{}', rsv: 3 }), code: 1002 },
  { name: 'a ping of 126 bytes', bytes: () => frame({ opcode: 0x9, payload: 'p'.repeat(126) }), code: 1002 },
  { name: 'a fragmented ping', bytes: () => frame({ opcode: 0x9, fin: false }), code: 1002 },
  { name: 'a continuation without a start', bytes: () => frame({ opcode: 0x0, payload: 'x' }), code: 1002 },
  { name: 'a new message inside a fragmented one', bytes: () => Buffer.concat([frame({ opcode: 0x1, payload: '{', fin: false }), text('}')]), code: 1002 },
  { name: 'a close frame with an invalid code', bytes: () => frame({ opcode: 0x8, payload: Uint8Array.from([0x03, 0xe7]) }), code: 1002 },
  { name: 'a close frame with invalid UTF-8 reason', bytes: () => frame({ opcode: 0x8, payload: Uint8Array.from([0x03, 0xe8, 0xff]) }), code: 1007 },
  { name: 'a binary message', bytes: () => frame({ opcode: 0x2, payload: Uint8Array.from([1, 2, 3]) }), code: WS_CLOSE.badMessage },
  { name: 'JSON that is not a message', bytes: () => text('{"type":"nope"}'), code: WS_CLOSE.badMessage },
  { name: 'a message before auth', bytes: () => text('{"type":"ping","id":1}'), code: WS_CLOSE.unauthorized },
];

for (const c of CASES) {
  test(`WebSocket fuzz: ${c.name} closes that socket with ${c.code}; the server stays up`, async () => {
    const ws = await rawConnect(server.url);
    ws.send(c.bytes());
    assert.equal(await ws.closed, c.code);
    assert.equal(server.child.exitCode, null);
  });
}

test('WebSocket fuzz: truncated frames and handshakes, then the peer vanishes', async () => {
  for (const bytes of [frame({ opcode: 0x1, declaredLength: 1000n }).subarray(0, 20), Uint8Array.from([0x81]), Uint8Array.from([0x81, 0xfe, 0x01])]) {
    const ws = await rawConnect(server.url);
    ws.send(bytes);
    ws.socket.destroy();
  }
  const { hostname, port } = new URL(server.url);
  const net = await import('node:net');
  for (const partial of ['GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n', 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n', '\x16\x03\x01garbage\r\n\r\n']) {
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(port), hostname, () => {
        s.write(partial);
        setTimeout(() => { s.destroy(); resolve(); }, 50);
      });
      s.on('error', () => resolve());
    });
  }
  await assertServing();
});

test('WebSocket fuzz: a flood of tiny frames is cut off (1008) without harm', async () => {
  const ws = await rawConnect(server.url);
  ws.send(text(JSON.stringify({ type: 'auth', token })));
  const burst = Buffer.concat(Array.from({ length: 5000 }, (_, i) => text(`{"type":"ping","id":${i}}`)));
  ws.send(burst);
  assert.equal(await ws.closed, WS_CLOSE.policy);
  assert.ok(ws.texts.length < 200, `answered ${ws.texts.length} of 5000`);
  await assertServing();
});

test('WebSocket fuzz: 200 idle sockets — the oldest waiting beyond 64 are closed, honest clients still served', async () => {
  const idle = await Promise.all(Array.from({ length: 200 }, () => rawConnect(server.url)));
  await assertServing();
  const codes = await Promise.all(idle.slice(0, 136).map((w) => w.closed));
  assert.ok(codes.every((c) => c === WS_CLOSE.tooMany), `closed with ${[...new Set(codes)].join(', ')}`);
  for (const w of idle) w.socket.destroy();
  await assertServing();
});

test('after every fuzz case the process is alive and serving', async () => {
  await assertServing();
  assert.doesNotMatch(server.output(), /Uncaught|unhandled|ERR_/i);
});
