import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { CONTENT_SECURITY_POLICY } from '../../server/http/security-headers.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
// @ts-expect-error plain ESM build script
import { compressDir } from '../../scripts/compress.mjs';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;
let appDir: string;
const SHELL = `<!doctype html><title>shell</title>${'<p>hello</p>'.repeat(200)}`;
const MAIN = `export const x = ${JSON.stringify('y'.repeat(5000))};`;

interface Reply { statusCode: number; headers: http.IncomingHttpHeaders; body: Buffer }

/** A plain node:http request: the bytes as sent (no decoding), on a given agent. */
function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer; agent?: http.Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

before(async () => {
  appDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-app-'));
  await mkdir(path.join(appDir, 'assets'));
  await writeFile(path.join(appDir, 'index.html'), SHELL);
  await writeFile(path.join(appDir, 'assets', 'main-AbCdEf12.js'), MAIN);
  await writeFile(path.join(appDir, 'icon.png'), Buffer.alloc(2000, 7));
  await compressDir(appDir);
  s = await startTestServer(START - 20 * MIN, undefined, appDir);
  await s.importExam(examFixture({ startAt: START }));
});
after(async () => {
  await s.stop();
  await rm(appDir, { recursive: true, force: true });
});

test('every reply carries the security headers: app, API, errors, 404s', async () => {
  for (const [p, status] of [['/', 200], ['/api/time', 200], ['/api/candidate/me', 401], ['/api/nope', 404], ['/nope.js', 404], ['/healthz', 200]] as const) {
    const res = await fetch(s.url + p);
    assert.equal(res.status, status, p);
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, p);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', p);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin', p);
    assert.match(res.headers.get('permissions-policy') ?? '', /camera=\(self\), microphone=\(self\), display-capture=\(self\), screen-wake-lock=\(self\)/, p);
  }
});

test('the CSP allows no inline script, no eval but WASM, only our origin, and no framing', () => {
  const d = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1).join(' ')]));
  assert.equal(d['script-src'], "'self' 'wasm-unsafe-eval'");
  assert.equal(d['style-src'], "'self'");
  assert.equal(d['connect-src'], "'self'");
  assert.equal(d['frame-ancestors'], "'none'");
  assert.equal(d['object-src'], "'none'");
  assert.ok(!CONTENT_SECURITY_POLICY.includes('unsafe-inline') && !/'unsafe-eval'/.test(CONTENT_SECURITY_POLICY));
});

test('static files go brotli or gzip as accepted, with Vary; the decoded bytes are the file', async () => {
  for (const [p, body] of [['/', SHELL], ['/assets/main-AbCdEf12.js', MAIN]] as const) {
    const br = await request(s.url + p, { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(br.headers['content-encoding'], 'br', p);
    assert.match(String(br.headers.vary), /Accept-Encoding/i);
    assert.equal(brotliDecompressSync(br.body).toString(), body);
    const gz = await request(s.url + p, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip', p);
    const gzBytes = gz.body;
    assert.ok(gzBytes.length < body.length / 5, `${p}: ${gzBytes.length} of ${body.length} bytes`);
    assert.equal(gunzipSync(gzBytes).toString(), body);
    const plain = await request(s.url + p, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), body);
    assert.match(String(plain.headers.vary), /Accept-Encoding/i);
  }
  assert.match(String((await request(`${s.url}/assets/main-AbCdEf12.js`, { headers: { 'accept-encoding': 'gzip' } })).headers['cache-control']), /immutable/);
  const files = await readdir(appDir, { recursive: true });
  assert.ok(!files.includes('icon.png.gz'), 'PNG is not recompressed');
});

test('an early 413 closes the connection, so a pooled client gets the answer and the next request works', async () => {
  const login = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-413-aaaaaaaaaaaa' });
  const cred = login.json.uploadCredential as string;
  await s.call('PUT', '/api/recordings/rec-413-aaaa', { kind: 'camera', mimeType: 'video/webm' }, { authorization: `Bearer ${cred}` });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const big = Buffer.alloc(17 * 1024 * 1024, 1);
  const res = await request(`${s.url}/api/recordings/rec-413-aaaa/segments/0/chunks/0`, {
    method: 'PUT', agent, body: big,
    headers: { authorization: `Bearer ${cred}`, 'content-digest': 'sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:', 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.statusCode, 413);
  assert.equal(res.headers.connection, 'close');
  assert.equal((JSON.parse(res.body.toString()) as { code: string }).code, 'payload_too_large');
  const next = await request(`${s.url}/api/time`, { agent });
  assert.equal(next.statusCode, 200);
  // The JSON limit too, told by Content-Length before a byte of the body is read.
  const raw = await new Promise<string>((resolve) => {
    const { port } = new URL(s.url);
    const c = net.connect(Number(port), '127.0.0.1', () => c.write('POST /api/probe HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n'));
    let got = '';
    c.on('data', (d) => { got += d.toString(); });
    c.on('close', () => resolve(got));
  });
  assert.match(raw, /^HTTP\/1\.1 413/);
  assert.match(raw, /connection: close/i);
  agent.destroy();
});
