import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { waitForStep } from '../helpers/flow-e2e.js';
import { assertServerCopies, endExam, localCopies, loginAndRecord as startRecording, sleep, type LocalCopy } from '../helpers/recording-e2e.js';

const TOKEN_TTL_S = 5;
const loginAndRecord = (context: BrowserContext, candidate: string) => startRecording(context, e.server.url, candidate);
let e: E2eEnv;

before(async () => {
  e = await e2eEnv(examFixture({ id: 'recsw', startAt: Date.now() + 12 * MIN, rooms: { A: 4 } }), { SESSION_TOKEN_TTL_SECONDS: String(TOKEN_TTL_S) });
});
after(() => e?.close());

async function endOffline(context: BrowserContext, page: Page): Promise<LocalCopy[]> {
  await context.setOffline(true);
  await endExam(page);
  await page.getByText('等待网络').first().waitFor();
  return localCopies(page);
}

const assertSame = (local: LocalCopy[], candidate: string) => assertServerCopies(local, { dataDir: e.dir, examId: 'recsw', candidate });

test('the session token expires while offline; after reconnecting every chunk uploads and verifies', async () => {
  const context = await e.browser.newContext();
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
  // The page's own session refreshed itself too: reloading shows the upload screen, not the login.
  await page.goto(`${e.server.url}/#/`);
  await waitForStep(page, 'upload');
  await context.close();
});

test('the upload is done by the service worker alone, after the exam page is gone', async () => {
  const context = await e.browser.newContext();
  const page = await loginAndRecord(context, 'cA-2');
  await sleep(3_000);
  const local = await endOffline(context, page);
  await page.close();
  await context.setOffline(false);
  // A page of this origin that runs no app code; only the service worker can upload from here.
  const other = await context.newPage();
  const pageRequests: string[] = [];
  other.on('request', (r) => pageRequests.push(new URL(r.url()).pathname));
  await other.goto(`${e.server.url}/robots.txt`);
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
