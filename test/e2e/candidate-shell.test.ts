import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { pressUntilStep, waitForStep, walkToExam } from '../helpers/flow-e2e.js';

let e: E2eEnv;

before(async () => {
  e = await e2eEnv(examFixture({ id: 'e2e', startAt: Date.now() + 12 * MIN, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
});
after(() => e?.close());

test('through the steps to the entry page, go offline, reload: the shell opens on the same step', async () => {
  const context = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(`${e.server.url}/#/`);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

  await walkToExam(page, e.server.url, 'cA-1', 'TA-1', { stopAtEnter: true });
  const number = page.getByTestId('lottery-number');
  const drawn = Number(await number.textContent());
  assert.ok(drawn >= 1 && drawn <= 3, `number ${drawn}`);

  assert.equal(requested.some((p) => /proctor-app|review-app/.test(p)), false, 'a candidate never downloads proctor code');
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    return urls;
  });
  assert.ok(cached.some((u) => /\/assets\/candidate-app-/.test(u)), `candidate mode precached: ${cached.join(' ')}`);
  assert.ok(cached.includes('/index.html'));
  assert.equal(cached.some((u) => /proctor-app|review-app/.test(u)), false, 'nor does its service worker');

  await context.setOffline(true);
  await page.reload();
  await waitForStep(page, 'enter');
  assert.equal(Number(await page.getByTestId('lottery-number').textContent()), drawn);
  await page.getByText('网络已断开').waitFor();
  await page.getByText('离线显示').waitFor();

  // Back online: the stored view is refreshed from the server.
  await context.setOffline(false);
  await page.getByText('离线显示').waitFor({ state: 'detached' });
  await context.close();
});

test('the app is installable: a manifest with 192 and 512 px icons, all served', async () => {
  const manifest = (await (await fetch(`${e.server.url}/manifest.webmanifest`)).json()) as { start_url: string; display: string; icons: { src: string; sizes: string }[] };
  assert.equal(manifest.display, 'standalone');
  assert.equal(manifest.start_url, '/#/');
  for (const size of ['192x192', '512x512']) assert.ok(manifest.icons.some((i) => i.sizes === size), size);
  for (const icon of manifest.icons) {
    const res = await fetch(e.server.url + icon.src);
    assert.equal(res.status, 200, icon.src);
  }
});

test('the English switch is remembered across a reload', async () => {
  const context = await e.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${e.server.url}/#/`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Device check' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Device check' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await context.close();
});

test('a second login elsewhere is refused until confirmed; the first device is then logged out', async () => {
  const first = await e.browser.newContext();
  const second = await e.browser.newContext();
  const loginAs = async (page: import('playwright-core').Page) => {
    await page.goto(`${e.server.url}/#/`);
    await waitForStep(page, 'check');
    await pressUntilStep(page, page.getByRole('button', { name: '下一步' }), 'login');
    await page.getByLabel('考生号').fill('cA-2');
    await page.getByLabel('准考证验证码').fill('TA-2');
    await page.getByLabel(/由监督员人工核验身份/).check();
    await page.getByRole('button', { name: '登录', exact: true }).click();
  };
  const p1 = await first.newPage();
  await loginAs(p1);
  await waitForStep(p1, 'procedure');
  const p2 = await second.newPage();
  await loginAs(p2);
  await p2.getByRole('alertdialog').waitFor();
  await p2.getByRole('button', { name: '确认在本设备登录' }).click();
  await waitForStep(p2, 'procedure');
  // The first device learns at once — its socket is closed with session-ended — without a reload.
  await p1.getByText('你已在另一台设备登录，本设备的登录已结束。').waitFor({ timeout: 10_000 });
  await first.close();
  await second.close();
});

test('the proctor logs in and sees their room with login state and draw numbers', async () => {
  const context = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${e.server.url}/#/proctor`);
  await page.getByLabel('考试编号').fill('e2e');
  await page.getByLabel('监督员编号').fill('p1');
  await page.getByLabel('密码').fill('wrong');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByText('考试编号、监督员编号或密码不正确。').waitFor();
  await page.getByLabel('密码').fill(PROCTOR_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  // cA-1 logged in and drew above: its tile shows the number and no "not logged in"; cA-3 never logged in.
  const drawn = page.locator('article[data-candidate="cA-1"]');
  await drawn.locator('.number').waitFor();
  assert.match((await drawn.locator('.number').textContent()) ?? '', /^\d+$/);
  assert.doesNotMatch((await drawn.textContent()) ?? '', /未登录/);
  assert.match((await page.locator('article[data-candidate="cA-3"]').textContent()) ?? '', /未登录/);
  await context.close();
});
