import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createServices } from '../../server/services.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { FACE_CAMERA_ARG, launchBrowser } from '../helpers/browser.js';
import { waitForStep, pressUntilStep } from '../helpers/flow-e2e.js';

let e: E2eEnv;
let faceBrowser: Browser;

before(async () => {
  e = await e2eEnv(examFixture({ id: 'face', startAt: Date.now() + 20 * MIN, rooms: { A: 2 } }));
  faceBrowser = await launchBrowser([FACE_CAMERA_ARG]);
});
after(async () => {
  await faceBrowser?.close();
  await e?.close();
});

test('face login with the network off: the model comes from the precache, the gate accepts, the server records "passed"', async () => {
  const context = await faceBrowser.newContext();
  const page = await context.newPage();
  const foreign: string[] = [];
  context.on('request', (r) => { if (!r.url().startsWith(e.server.url)) foreign.push(r.url()); });
  await page.goto(`${e.server.url}/#/`);
  // The service worker precached the face stack with the shell.
  await page.waitForFunction(async () => {
    await navigator.serviceWorker.ready;
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) if (req.url.includes('blazeface-front.bin')) return true;
    }
    return false;
  }, undefined, { timeout: 30_000 });
  await context.setOffline(true);
  await page.reload();
  await waitForStep(page, 'check');
  await pressUntilStep(page, page.getByRole('button', { name: '下一步' }), 'login');
  await page.getByText('人脸检测通过').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole('button', { name: '登录', exact: true }).isEnabled(), true);
  await context.setOffline(false);
  await page.getByLabel('考生号').fill('cA-1');
  await page.getByLabel('准考证验证码').fill('TA-1');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await waitForStep(page, 'procedure');
  assert.deepEqual(foreign, [], 'nothing fetched from another origin');
  const services = await createServices(e.dir);
  try {
    for (let i = 0; ; i++) {
      const capture = (await services.events.list('face', 'cA-1')).find((x) => x.type === 'login-capture');
      if (capture) {
        assert.equal(capture.detail?.faceCheck, 'passed');
        break;
      }
      if (i > 20) assert.fail('no login capture on the server');
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await services.db.destroy();
  }
  await context.close();
});
