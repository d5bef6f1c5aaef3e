import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let s: TestServer;
let appDir: string;

before(async () => {
  appDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-app-'));
  await mkdir(path.join(appDir, 'assets'));
  await writeFile(path.join(appDir, 'index.html'), '<!doctype html><title>shell</title>');
  await writeFile(path.join(appDir, 'sw.js'), '// sw');
  await writeFile(path.join(appDir, 'assets', 'main-AbCdEf12.js'), 'export {}');
  s = await startTestServer(Date.now(), undefined, appDir);
});
after(async () => {
  await s.stop();
  await rm(appDir, { recursive: true, force: true });
});

test('index.html is served at / and must be revalidated', async () => {
  const res = await fetch(`${s.url}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(await res.text(), /shell/);
});

test('hashed assets are immutable; the service worker is not', async () => {
  const asset = await fetch(`${s.url}/assets/main-AbCdEf12.js`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  const sw = await fetch(`${s.url}/sw.js`);
  assert.equal(sw.headers.get('cache-control'), 'no-cache');
});

test('paths outside the app are not served', async () => {
  const res = await fetch(`${s.url}/../../etc/passwd`);
  assert.equal(res.status, 404);
  const enc = await fetch(`${s.url}/%2e%2e/%2e%2e/etc/passwd`);
  assert.equal(enc.status, 404);
});
