import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { contentDigestHeader } from '../../src/core/hash-chain.js';
import { ExamConfig } from '../../src/core/exam-schema.js';
import { createServices } from '../../server/services.js';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { putChunk } from '../helpers/upload-client.js';

// Beyond WebSockets: every way a client can break off or send nonsense over HTTP, against the
// server as its own process. None may end it.
let dir: string;
let server: ChildServer;
let cred: string;
let proctorToken: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-abuse-'));
  const services = await createServices(dir, { log: () => {} });
  await services.exams.put(ExamConfig.parse(examFixture({ startAt: Date.now() + 20 * MIN, proctorHash: await hashPassword(PROCTOR_PASSWORD) })));
  await services.db.destroy();
  server = await spawnServer(dir, 'server/main.ts');
  const post = async (p: string, body: unknown) => (await fetch(server.url + p, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  })).json() as Promise<Record<string, string>>;
  cred = (await post('/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-abuse-aaaaaaaaaa' })).uploadCredential!;
  proctorToken = (await post('/api/session/proctor', { examId: 'exam1', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-abuse-proctor-aa' })).token!;
});
after(async () => {
  await server.kill();
  await rm(dir, { recursive: true, force: true });
});

/** Writes raw bytes to the server, then hangs up (RST when `reset`) after `ms`. */
function rawHttp(bytes: string | Buffer, ms = 30, reset = false): Promise<void> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname, () => {
      s.write(bytes);
      setTimeout(() => { if (reset) s.resetAndDestroy(); else s.destroy(); resolve(); }, ms);
    });
    s.on('error', () => resolve());
  });
}

async function assertAlive(): Promise<void> {
  assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
}

test('a chunk upload cut off mid-body, by FIN and by RST, ends only that request', async () => {
  await fetch(`${server.url}/api/recordings/rec-abuse-1`, {
    method: 'PUT', headers: { authorization: `Bearer ${cred}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'camera', mimeType: 'video/webm' }),
  });
  const body = randomBytes(200_000);
  const digest = contentDigestHeader(createHash('sha256').update(body).digest());
  for (const reset of [false, true]) {
    const head = `PUT /api/recordings/rec-abuse-1/segments/0/chunks/0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${cred}\r\n` +
      `Content-Digest: ${digest}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
    await rawHttp(Buffer.concat([Buffer.from(head), body.subarray(0, 50_000)]), 100, reset);
  }
  await assertAlive();
  assert.equal((await putChunk(server.url, cred, 'rec-abuse-1', 0, 0, body)).status, 201, 'the same chunk uploads whole afterwards');
});

test('JSON bodies and the login capture cut off mid-body', async () => {
  await rawHttp('POST /api/session/candidate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"candidateId":', 50, true);
  await rawHttp('POST /api/candidate/login-capture HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 90000\r\n\r\n\xff\xd8', 50, true);
  await rawHttp('POST /api/probe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', 50);
  await assertAlive();
});

test('a download (review segment, static file) abandoned mid-stream', async () => {
  const body = randomBytes(60_000);
  body.set([0x1a, 0x45, 0xdf, 0xa3], 0);
  await putChunk(server.url, cred, 'rec-abuse-1', 1, 0, body);
  for (const p of ['/api/review/candidates/cA-1/recordings/rec-abuse-1/segments/1', '/api/review/candidates/cA-1/recordings/rec-abuse-1/segments/0', '/']) {
    await rawHttp(`GET ${p} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${proctorToken}\r\nAccept-Encoding: gzip, br\r\n\r\n`, 5, true);
  }
  await assertAlive();
});

test('malformed requests: bad request lines, headers, methods, encodings, upgrades', async () => {
  const junk = [
    'GARBAGE\r\n\r\n',
    'GET / HTTP/9.9\r\n\r\n',
    'GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n',
    `GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(20_000)}\r\n\r\n`,
    'POST /api/probe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef',
    'POST /api/probe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: bad\r\n\r\n',
    'GET /other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
  ];
  for (const j of junk) await rawHttp(j, 30);
  await assertAlive();
});

test('a non-WebM segment is a 422 with the error shape, not a 500', async () => {
  const body = randomBytes(4000);
  await putChunk(server.url, cred, 'rec-abuse-1', 2, 0, body);
  const res = await fetch(`${server.url}/api/review/candidates/cA-1/recordings/rec-abuse-1/segments/2`, { headers: { authorization: `Bearer ${proctorToken}` } });
  assert.equal(res.status, 422);
  assert.equal(((await res.json()) as { code: string }).code, 'not_webm');
  await assertAlive();
  assert.doesNotMatch(server.output(), /Uncaught|unhandled/i);
});
