import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const loginAndRecord = (context: BrowserContext, candidate: string) => startRecording(context, server.url, candidate);
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { writeJson } from '../helpers/test-server.js';
import { ROOT, spawnServer, type ChildServer } from '../helpers/child-server.js';
import { launchBrowser } from '../helpers/browser.js';
import { assertServerCopies, endExam, localCopies, loginAndRecord as startRecording, type LocalCopy } from '../helpers/recording-e2e.js';

const TOKEN_TTL_S = 5;
let dir: string;
let server: ChildServer;
let browser: Browser;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-recsw-'));
  const file = await writeJson(dir, 'exam.json', examFixture({ id: 'recsw', startAt: Date.now() + 12 * MIN, rooms: { A: 4 } }));
  await promisify(execFile)(process.execPath, ['bin/invigil.mjs', 'import', file], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir } });
  // Session tokens that expire within the test, to show uploads do not depend on them.
  server = await spawnServer(dir, 'dist/node/server/main.js', [], { SESSION_TOKEN_TTL_SECONDS: String(TOKEN_TTL_S) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.kill();
  await rm(dir, { recursive: true, force: true });
});

async function endOffline(context: BrowserContext, page: Page): Promise<LocalCopy[]> {
  await context.setOffline(true);
  await endExam(page);
  await page.getByText('等待网络').first().waitFor();
  return localCopies(page);
}

const assertSame = (local: LocalCopy[], candidate: string) => assertServerCopies(local, { dataDir: dir, examId: 'recsw', candidate });

test('the session token expires while offline; after reconnecting every chunk uploads and verifies', async () => {
  const context = await browser.newContext();
  const page = await loginAndRecord(context, 'cA-1');
  await sleep(2_000);
  await context.setOffline(true);
  await sleep((TOKEN_TTL_S + 4) * 1_000);
  await context.setOffline(false);
  await sleep(2_000);
  const local = await endOffline(context, page);
  await context.setOffline(false);
  await page.getByText('上传成功').nth(1).waitFor({ timeout: 60_000 });
  await assertSame(local, 'cA-1');
  // The page's own session refreshed itself too: reloading shows the candidate, not the login.
  await page.goto(`${server.url}/#/`);
  await page.getByRole('timer').waitFor();
  await context.close();
});

test('the upload is done by the service worker alone, after the exam page is gone', async () => {
  const context = await browser.newContext();
  const page = await loginAndRecord(context, 'cA-2');
  await sleep(3_000);
  const local = await endOffline(context, page);
  await page.close();
  await context.setOffline(false);
  // A page of this origin that runs no app code; only the service worker can upload from here.
  const other = await context.newPage();
  const pageRequests: string[] = [];
  other.on('request', (r) => pageRequests.push(new URL(r.url()).pathname));
  await other.goto(`${server.url}/robots.txt`);
  await other.evaluate(() => navigator.serviceWorker.ready.then((reg) => reg.active?.postMessage({ type: 'upload-now' })));
  await assertSame(local, 'cA-2');
  // Verified by the server (the chain re-derived), then cleared on the device — by the worker.
  for (let i = 0; (await localCopies(other)).some((r) => r.chunks > 0); i++) {
    if (i > 60) assert.fail('the service worker did not complete the recordings');
    await sleep(500);
  }
  assert.equal(pageRequests.some((p) => p.startsWith('/api/')), false, 'the page sent no upload');
  await context.close();
});
