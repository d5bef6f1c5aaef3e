import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, requestStats, retryAfterMs } from '../../src/net/http.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// The one classification every client part uses (API client, uploader, outbox, service worker),
// against the real server's replies.
const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;
let proxyUrl: string;
let proxy: http.Server;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START }));
  // Not our server: a captive portal or a proxy answering in its own words.
  proxy = http.createServer((req, res) => {
    res.writeHead(req.url === '/teapot' ? 418 : 502, { 'content-type': 'text/html', 'retry-after': '7' });
    res.end('<html>gateway</html>');
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
after(async () => {
  await s.stop();
  await new Promise((r) => proxy.close(r));
});

const json = (body: unknown, extra: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) });

test('2xx is ok; 400, 403, 404 and 413 are refused for good (set aside, never retried)', async () => {
  assert.equal((await request(`${s.url}/api/time`, {})).kind, 'ok');
  const bad = await request(`${s.url}/api/session/candidate`, json({ nope: 1 }));
  assert.deepEqual([bad.kind, bad.kind === 'refused' && bad.error.code], ['refused', 'bad_request']);
  const missing = await request(`${s.url}/api/nope`, {});
  assert.deepEqual([missing.kind, missing.kind === 'refused' && missing.status], ['refused', 404]);
  const big = await request(`${s.url}/api/probe`, { method: 'POST', body: new Uint8Array(70 * 1024) });
  assert.deepEqual([big.kind, big.kind === 'refused' && big.error.code], ['refused', 'payload_too_large']);
});

test('401 asks for new credentials', async () => {
  const v = await request(`${s.url}/api/candidate/me`, { headers: { authorization: 'Bearer aaaaaaaaaaaaaaaa' } });
  assert.deepEqual([v.kind, v.kind === 'auth' && v.error.code], ['auth', 'unauthorized']);
});

test('429 is retried later, not before Retry-After', async () => {
  let v = await request(`${s.url}/api/time`, {});
  for (let i = 0; i < 10 && v.kind !== 'retry'; i++) {
    v = await request(`${s.url}/api/session/candidate`, json({ candidateId: 'cA-1', ticketCode: `WRONG-${i}`, deviceId: 'device-classify-aaaaaa' }));
  }
  assert.equal(v.kind, 'retry');
  assert.ok(v.kind === 'retry' && v.status === 429 && v.error?.code === 'too_many_attempts' && (v.afterMs ?? 0) >= 1000, JSON.stringify(v));
});

test('no connection, and replies that are not ours (a gateway, a captive portal), are retried', async () => {
  const down = await request('http://127.0.0.1:9/api/time', {});
  assert.deepEqual([down.kind, down.kind === 'retry' && down.status], ['retry', 0]);
  const gateway = await request(`${proxyUrl}/api/time`, {});
  assert.deepEqual([gateway.kind, gateway.kind === 'retry' && gateway.afterMs], ['retry', 7000]);
  const portal = await request(`${proxyUrl}/teapot`, {});
  assert.equal(portal.kind, 'retry', 'a 4xx in someone else\'s words is not a refusal of ours');
});

test('Retry-After: seconds or an HTTP date', () => {
  assert.equal(retryAfterMs('12'), 12_000);
  assert.equal(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1)), 30_000);
  assert.equal(retryAfterMs('soon'), null);
  assert.equal(retryAfterMs(null), null);
});

test('requestStats splits a request into the browser taking it (handOffMs) and the wait for its reply (waitMs)', async () => {
  const before = { ...requestStats };
  // A fetch whose call takes 30 ms itself (the browser taking the request) and whose reply comes 60 ms later.
  const slowFetch = ((() => {
    const until = performance.now() + 30;
    while (performance.now() < until) { /* the synchronous hand-off */ }
    return new Promise<Response>((resolve) => setTimeout(() => resolve(new Response('{}')), 60));
  }) as unknown) as typeof fetch;
  const v = await request('http://127.0.0.1/x', {}, slowFetch);
  assert.equal(v.kind, 'ok');
  assert.equal(requestStats.count - before.count, 1);
  const handOff = requestStats.handOffMs - before.handOffMs;
  const wait = requestStats.waitMs - before.waitMs;
  assert.ok(handOff >= 29 && handOff < 55, `hand-off ${handOff} ms`);
  assert.ok(wait >= 55 && wait < 200, `wait ${wait} ms`);
});
