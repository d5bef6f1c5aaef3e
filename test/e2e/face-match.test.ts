import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createServices } from '../../server/services.js';
import type { ExamConfigInput } from '../../src/core/exam-schema.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { FACE_CAMERA_ARG, launchBrowser } from '../helpers/browser.js';
import { ROOT } from '../helpers/child-server.js';
import { assertAccessible, shot, waitForStep, pressUntilStep } from '../helpers/flow-e2e.js';

const photo = (name: string) => path.join(ROOT, 'examples', 'photos', name);
let e: E2eEnv;
let faceBrowser: Browser;

/** Face match on; the roster's photos: the camera's own face, another person's, the camera's again, none. */
function matchExam(): ExamConfigInput {
  const exam = examFixture({ id: 'match', startAt: Date.now() + 20 * MIN, rooms: { A: 4 } }) as ExamConfigInput & { roster: { photo?: string }[] };
  exam.face = { match: { enabled: true, threshold: 0.6 } };
  exam.roster[0]!.photo = photo('astronaut.png');
  exam.roster[1]!.photo = photo('cameraman.png');
  exam.roster[2]!.photo = photo('astronaut.png');
  return exam;
}

before(async () => {
  e = await e2eEnv(matchExam());
  faceBrowser = await launchBrowser([FACE_CAMERA_ARG]);
});
after(async () => {
  await faceBrowser?.close();
  await e?.close();
});

/** Logs in through the face gate (the camera shows the astronaut) and waits for `step`. */
async function loginByFace(candidate: string, step: string): Promise<{ context: BrowserContext; page: Page; foreign: string[] }> {
  const context = await faceBrowser.newContext();
  const page = await context.newPage();
  const foreign: string[] = [];
  context.on('request', (r) => { if (!r.url().startsWith(e.server.url)) foreign.push(r.url()); });
  await page.goto(`${e.server.url}/#/`);
  await waitForStep(page, 'check');
  await pressUntilStep(page, page.getByRole('button', { name: '下一步' }), 'login');
  // The exam compares faces: its step is counted from the first screens on (the total never changes;
  // until the exam's settings are read the step is named without a count).
  await page.locator('[data-step]', { hasText: /第 2 \/ 12 步/ }).waitFor({ timeout: 10_000 });
  await page.getByLabel('考生号').fill(candidate);
  await page.getByLabel('准考证验证码').fill(`T${candidate.slice(1)}`);
  await page.getByText('人脸检测通过').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await waitForStep(page, step);
  return { context, page, foreign };
}

async function recorded(candidate: string) {
  const services = await createServices(e.dir);
  try {
    const row = await services.db.selectFrom('identity_checks').selectAll()
      .where('exam_id', '=', 'match').where('candidate_id', '=', candidate).executeTakeFirst();
    const events = (await services.events.list('match', candidate)).filter((x) => x.type === 'face-match');
    return { row, events };
  } finally {
    await services.db.destroy();
  }
}

test('consent, then the login capture matches the roster photo on the device; the server records "matched"', async () => {
  const { context, page, foreign } = await loginByFace('cA-1', 'identity');
  await page.locator('[data-step]', { hasText: /第 3 \/ 12 步/ }).waitFor({ timeout: 10_000 });
  await assertAccessible(page, 'face-match consent');
  await shot(page, 'identity-consent');
  await page.getByRole('button', { name: '同意进行人脸比对' }).click();
  const outcome = page.locator('[data-path]');
  await outcome.waitFor({ timeout: 90_000 });
  assert.equal(await outcome.getAttribute('data-path'), 'matched');
  assert.match(await page.getByText(/相似度/).innerText(), /相似度 0\.(8|9)\d/);
  await assertAccessible(page, 'face-match outcome');
  await shot(page, 'identity-matched');
  // The model came from our origin, once, and stays in the service worker's cache.
  assert.deepEqual(foreign, [], 'nothing fetched from another origin');
  const cached = await page.evaluate(async () => (await (await caches.open('face-match-model-3.0.4')).keys()).map((r) => new URL(r.url).pathname).sort());
  assert.deepEqual(cached, ['/models/faceres.bin', '/models/faceres.json']);
  await page.getByRole('button', { name: '下一步' }).click();
  await waitForStep(page, 'procedure');
  const { row, events } = await recorded('cA-1');
  assert.equal(row?.path, 'matched');
  assert.ok((row?.similarity ?? 0) >= 0.6);
  assert.equal(row?.descriptors, null, 'no descriptors on the server');
  assert.equal(events[0]?.detail?.path, 'matched');
  await context.close();
});

test('another person\'s photo does not match: the candidate goes on, marked for the proctor\'s live check', async () => {
  const { context, page } = await loginByFace('cA-2', 'identity');
  await page.getByRole('button', { name: '同意进行人脸比对' }).click();
  const outcome = page.locator('[data-path]');
  await outcome.waitFor({ timeout: 90_000 });
  assert.equal(await outcome.getAttribute('data-path'), 'not-matched');
  assert.match(await outcome.innerText(), /仍可正常参加考试/);
  await shot(page, 'identity-not-matched');
  await page.getByRole('button', { name: '下一步' }).click();
  await waitForStep(page, 'procedure');
  const { row, events } = await recorded('cA-2');
  assert.equal(row?.path, 'not-matched');
  assert.ok((row?.similarity ?? 1) < 0.6);
  assert.deepEqual(events[0]?.detail?.liveCheck, true);
  await context.close();
});

test('declining is recorded as the non-face path; no photo means no question at all', async () => {
  const { context, page } = await loginByFace('cA-3', 'identity');
  await page.getByRole('button', { name: '不同意，由监督员人工核验' }).click();
  await page.locator('[data-path="declined"]').waitFor();
  await shot(page, 'identity-declined');
  await page.getByRole('button', { name: '下一步' }).click();
  await waitForStep(page, 'procedure');
  const { row } = await recorded('cA-3');
  assert.deepEqual([row?.consent, row?.path, row?.similarity], [0, 'declined', null]);
  await context.close();

  const noPhoto = await loginByFace('cA-4', 'procedure');
  // No photo to compare with: the face-match step is passed over; the count stays out of 12.
  await noPhoto.page.locator('[data-step]', { hasText: /第 4 \/ 12 步/ }).waitFor({ timeout: 10_000 });
  await noPhoto.context.close();
});
