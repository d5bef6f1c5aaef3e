import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { proctorLogin, tile, videoMoving } from '../helpers/proctor-e2e.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { pressUntilStep, readToEnd, shot, waitForStep } from '../helpers/flow-e2e.js';
import { assertServerCopies, localCopies, sleep } from '../helpers/recording-e2e.js';

// jsqr is CommonJS: its module is the decoder function itself.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;
let e: E2eEnv;

before(async () => {
  e = await e2eEnv(examFixture({ id: 'phone', startAt: Date.now() + 12 * MIN, rooms: { A: 4 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
});
after(() => e?.close());

/** A phone: 360×740, touch, the fake camera. */
const phoneContext = (browser: Browser, lang = 'zh-CN') =>
  browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: lang });

/** The laptop from the first screen to the R4 step (the QR code shows). */
async function laptopToEvidence(context: BrowserContext, candidate: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${e.server.url}/#/`);
  await waitForStep(page, 'check');
  await pressUntilStep(page, page.getByRole('button', { name: '下一步' }), 'login');
  await page.getByLabel('考生号').fill(candidate);
  await page.getByLabel('准考证验证码').fill(`T${candidate.slice(1)}`);
  await page.getByLabel(/由监督员人工核验身份/).check();
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await waitForStep(page, 'procedure');
  await readToEnd(page);
  await page.getByRole('button', { name: '下一步' }).click();
  await waitForStep(page, 'evidence');
  await page.getByTestId('binding-qr').waitFor();
  return page;
}

/** Reads the QR code as a phone's camera would: from the rendered pixels. */
async function decodeQr(page: Page): Promise<string> {
  const png = await page.getByTestId('binding-qr').screenshot();
  const { width, height, data } = await page.evaluate(async (bytes) => {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(bitmap, 0, 0);
    const img = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: img.width, height: img.height, data: Array.from(img.data) };
  }, Array.from(png));
  const found = jsQR(Uint8ClampedArray.from(data), width, height);
  assert.ok(found, 'the QR code decodes');
  return found.data;
}

/** Compass readings as a turning phone gives them (Chrome's absolute orientation). */
async function turn(page: Page, headings: number[]): Promise<void> {
  await page.evaluate((list) => {
    for (const h of list) window.dispatchEvent(new DeviceOrientationEvent('deviceorientationabsolute', { alpha: (360 - h) % 360, beta: 80, gamma: 0, absolute: true }));
  }, headings);
}

/**
 * Turns the phone until `shows` is on screen, once the scan listens: readings of the same headings
 * again change nothing, so readings a loaded machine lost are sent again (up to three times).
 */
async function turnUntil(page: Page, headings: number[], shows: Locator): Promise<void> {
  for (let attempt = 0; attempt < 3 && !(await shows.isVisible()); attempt++) {
    await turn(page, headings);
    await shows.waitFor({ timeout: 5_000 }).catch(() => undefined);
  }
  await shows.waitFor();
}

/** The phone from its camera choice through the scan and framing to recording. */
async function scanAndFix(phone: Page, name: string): Promise<void> {
  await phone.getByRole('button', { name: '使用前置摄像头' }).click();
  await phone.getByRole('button', { name: '开始 360 度环拍' }).click();
  // Turned once the scan listens (its dial and status are drawn), not before.
  await phone.getByText('还有 12 / 12 个方向未拍到').waitFor();
  await turnUntil(phone, [5, 35, 65, 95, 125, 155], phone.getByText('还有 6 / 12 个方向未拍到'));
  assert.equal(await phone.getByRole('button', { name: '完成环拍' }).isDisabled(), true, 'an incomplete scan cannot be finished yet');
  await shot(phone, `${name}-scan-incomplete`);
  await turnUntil(phone, [185, 215, 245, 275, 305, 335], phone.getByText('已覆盖全部方向'));
  await phone.getByRole('button', { name: '完成环拍' }).click();
  await phone.getByRole('heading', { name: '固定手机' }).waitFor();
  await shot(phone, `${name}-framing`);
  await phone.getByRole('button', { name: '已固定好，继续录像' }).click();
  await phone.getByTestId('phone-recording').filter({ hasText: '正在录制佐证视频' }).waitFor();
}

test('bound by the QR code: 360° scan measured, the laptop sees the phone; offline 60 s and a reload cost nothing — the evidence arrives byte-identical', async () => {
  const laptopCtx = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const laptop = await laptopToEvidence(laptopCtx, 'cA-1');
  await laptop.locator('[data-phone="none"]').waitFor();
  await shot(laptop, 'evidence-laptop-evidence-step');
  const url = await decodeQr(laptop);
  assert.match(url, new RegExp(`^${e.server.url}/#/evidence/[A-HJ-NP-Z2-9]{8}$`));

  const phoneCtx = await phoneContext(e.browser);
  const phone = await phoneCtx.newPage();
  await phone.goto(url);
  await phone.getByTestId('phone-who').filter({ hasText: 'cA-1' }).waitFor();
  await shot(phone, 'evidence-phone-camera-choice');
  await scanAndFix(phone, 'evidence-phone');
  await shot(phone, 'evidence-phone-recording');
  // The laptop shows what the phone does (its status arrives within a few seconds).
  await laptop.locator('[data-phone="recording"]').waitFor({ timeout: 20_000 });
  await laptop.getByText('360 度环拍：已覆盖 100% 方向').waitFor();
  await shot(laptop, 'evidence-laptop-phone-recording');
  // The proctor's tile shows the phone too, and on request its camera live (same links and ladder as the laptop's).
  const proctorCtx = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const proctor = await proctorCtx.newPage();
  await proctorLogin(proctor, e.server.url, 'phone', 'p1', PROCTOR_PASSWORD);
  await tile(proctor, 'cA-1').locator('[data-phone="recording"]').filter({ hasText: '手机：正在录像' }).waitFor();
  await tile(proctor, 'cA-1').getByRole('button').first().click();
  await proctor.getByRole('button', { name: '查看手机画面' }).click();
  const phoneView = await videoMoving(proctor, 'cA-1', 'video[data-phone-live]', 20_000);
  assert.ok(phoneView.frames >= 5 && phoneView.differ, `the phone's camera moves on the proctor's screen: ${JSON.stringify(phoneView)}`);
  await shot(proctor, 'evidence-proctor-phone-live');
  await proctorCtx.close();
  await phone.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

  await sleep(3_000);
  await phoneCtx.setOffline(true);
  await sleep(60_000);
  await phoneCtx.setOffline(false);
  // Reloaded mid-exam: recording goes on at once as a new segment of the same set.
  await phone.reload();
  await phone.getByTestId('phone-recording').filter({ hasText: '正在录制佐证视频' }).waitFor();
  await sleep(4_000);
  // Stopped by hand while offline, so the test can read what the phone recorded before it is cleared.
  await phoneCtx.setOffline(true);
  await phone.getByRole('button', { name: '结束佐证录像' }).click();
  await phone.getByRole('button', { name: '确定结束' }).click();
  await phone.getByRole('heading', { name: '佐证视频上传' }).waitFor();
  await phone.getByText(/请在 .* 内确认佐证视频已上传/).waitFor();
  await shot(phone, 'evidence-phone-upload-waiting');
  const local = await localCopies(phone);
  assert.deepEqual(local.map((r) => [r.kind, r.segments]), [['evidence', 2]]);
  await phoneCtx.setOffline(false);
  await phone.getByText('全部录像已上传成功').waitFor({ timeout: 60_000 });
  await shot(phone, 'evidence-phone-upload-done');
  await assertServerCopies(local, { dataDir: e.dir, examId: 'phone', candidate: 'cA-1' }, 10_000);
  await laptop.getByText(/手机录像已全部上传并校验/).waitFor({ timeout: 20_000 });
  await laptopCtx.close();
  await phoneCtx.close();
});

test('a typed code binds; wrong and used codes say what to do; a second phone replaces the first, whose earlier recording still arrives verified', async () => {
  const laptopCtx = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const laptop = await laptopToEvidence(laptopCtx, 'cA-2');
  await laptop.getByRole('button', { name: '智试通二维码' }).click();
  const code = (await laptop.getByTestId('binding-code').textContent()) ?? '';
  assert.match(code, /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
  // The phone page opened on the exam computer itself refuses, before the code is spent.
  const same = await laptopCtx.newPage();
  await same.goto(`${e.server.url}/#/evidence`);
  await same.getByLabel('绑定码').fill(code);
  await same.getByRole('button', { name: '绑定', exact: true }).click();
  await same.getByText('这是考试用的电脑').waitFor();
  await same.close();

  const firstCtx = await phoneContext(e.browser);
  const first = await firstCtx.newPage();
  await first.goto(`${e.server.url}/#/evidence`);
  await first.getByLabel('绑定码').fill('ABCD-EFGH');
  await first.getByRole('button', { name: '绑定', exact: true }).click();
  await first.getByText('绑定码不正确').waitFor();
  await shot(first, 'evidence-phone-bind-wrong');
  await first.getByLabel('绑定码').fill(code.toLowerCase());
  await first.getByRole('button', { name: '绑定', exact: true }).click();
  await scanAndFix(first, 'evidence-phone-first');
  await first.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await sleep(4_000);

  // The same code again, on a second phone: used.
  const secondCtx = await phoneContext(e.browser);
  const second = await secondCtx.newPage();
  await second.goto(`${e.server.url}/#/evidence/${code.replace('-', '')}`);
  await second.getByText('此绑定码已使用过').waitFor();
  // A new code from the laptop binds the second phone; the first stops and still uploads what it recorded.
  await laptop.getByRole('button', { name: '换一个绑定码' }).click();
  await laptop.getByTestId('binding-code').filter({ hasNotText: code }).waitFor();
  const fresh = (await laptop.getByTestId('binding-code').textContent()) ?? '';
  await second.getByLabel('绑定码').fill(fresh);
  await second.getByRole('button', { name: '绑定', exact: true }).click();
  await second.getByRole('heading', { name: '选择摄像头' }).waitFor();
  await first.getByText('已有另一部手机绑定为佐证摄像头').first().waitFor({ timeout: 20_000 });
  await shot(first, 'evidence-phone-replaced');
  // Back on the code screen, it lists its own recording until the server verified it.
  await first.locator('[data-recording="evidence"]').getByText('上传成功').waitFor({ timeout: 60_000 });
  const recs = await localCopies(first);
  assert.deepEqual(recs.map((r) => [r.kind, r.state]), [['evidence', 'verified']], 'the replaced phone finished uploading what it recorded');
  await laptop.getByText('已更换过 1 次手机').waitFor({ timeout: 20_000 });

  for (const c of [laptopCtx, firstCtx, secondCtx]) await c.close();
});

test('every phone screen in English at 360×740, looked at', async () => {
  const laptopCtx = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const laptop = await laptopToEvidence(laptopCtx, 'cA-3');
  await laptop.getByRole('button', { name: '智试通二维码' }).click();
  const code = (await laptop.getByTestId('binding-code').textContent()) ?? '';
  const enCtx = await phoneContext(e.browser, 'en');
  const en = await enCtx.newPage();
  await en.goto(`${e.server.url}/#/evidence`);
  await en.getByRole('button', { name: 'English' }).click();
  await en.getByRole('heading', { name: 'Phone evidence camera' }).waitFor();
  await shot(en, 'evidence-phone-en-bind');
  await en.getByLabel('Binding code').fill(code);
  await en.getByRole('button', { name: 'Bind', exact: true }).click();
  await en.getByRole('heading', { name: 'Choose the camera' }).waitFor();
  await shot(en, 'evidence-phone-en-camera');
  await en.getByRole('button', { name: 'Rear camera' }).click();
  await en.getByRole('button', { name: 'Start the 360° scan' }).click();
  // Turned once the scan listens (its dial and status are drawn), not before.
  await en.getByText('12 of 12 directions still missing').waitFor();
  await turnUntil(en, [5, 35, 65, 95], en.getByText('8 of 12 directions still missing'));
  await shot(en, 'evidence-phone-en-scan');
  await turnUntil(en, [125, 155, 185, 215, 245, 275, 305, 335], en.getByText('Every direction is covered'));
  await en.getByRole('button', { name: 'Finish the scan' }).click();
  await en.getByRole('heading', { name: 'Fix the phone' }).waitFor();
  await shot(en, 'evidence-phone-en-framing');
  await en.getByRole('button', { name: 'The phone is fixed — keep recording' }).click();
  await en.getByText('● Recording evidence').waitFor();
  await shot(en, 'evidence-phone-en-recording');
  await sleep(3_000);
  await en.getByRole('button', { name: 'Stop evidence recording' }).click();
  await en.getByRole('button', { name: 'Stop now' }).click();
  await en.getByRole('heading', { name: 'Evidence upload' }).waitFor();
  await en.locator('[data-recording="evidence"]').getByText('Upload successful').waitFor({ timeout: 60_000 });
  await shot(en, 'evidence-phone-en-upload');
  await laptop.locator('[data-phone="done"]').waitFor({ timeout: 20_000 });
  for (const c of [laptopCtx, enCtx]) await c.close();
});
