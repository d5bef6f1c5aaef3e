import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createServices } from '../../server/services.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { assertAccessible, pressByKeyboard, shot, tabTo, waitForStep, walkToExam } from '../helpers/flow-e2e.js';
import { assertServerCopies, endExam, localCopies, resumeRecording, sampleUploadRows, sleep, uploadRowFaults } from '../helpers/recording-e2e.js';
import { installShiftableClock, setClockShift } from '../helpers/device-clock.js';

const SEC = 1000;
let e: E2eEnv;

before(async () => {
  e = await e2eEnv(examFixture({ id: 'unused', startAt: Date.now() + 60 * MIN }));
});
after(() => e?.close());

/**
 * An exam starting `inMs` from now with short phases, imported the way an administrator does. A
 * walk to the waiting page takes 7–11 s here; the leads give it three times that.
 */
async function shortExam(id: string, inMs: number, extra: Partial<Parameters<typeof examFixture>[0]> = {}) {
  const startAt = Date.now() + inMs;
  await e.importExam(examFixture({
    id, startAt, rooms: { A: 3 }, ...extra,
    timeline: { lotteryClosesMinutesBefore: 0.1, readingMinutes: 0.25, answeringMinutes: 0.25, ...extra.timeline },
  }));
  const reading = (extra.timeline?.readingMinutes ?? 0.25) * MIN;
  return { startAt, answeringAt: startAt + reading, endAt: startAt + reading + (extra.timeline?.answeringMinutes ?? 0.25) * MIN };
}

/** R10: the upload rows, sampled every 25 ms, never showed more than recorded nor went back; all of it at the end. */
async function assertUploadRowsHonest(page: Page): Promise<void> {
  await sleep(300);
  const rows = await uploadRowFaults(page);
  assert.ok(rows.samples >= 10, `${rows.samples} samples`);
  assert.deepEqual(rows.faults.slice(0, 5), []);
  assert.deepEqual(Object.keys(rows.last).sort(), ['camera', 'screen']);
  for (const [kind, r] of Object.entries(rows.last)) assert.ok(r.value === r.max && r.max > 1, `${kind}: ${r.value} of ${r.max} at the end`);
}

/** Seconds on the side panel's countdown. */
async function timerSeconds(page: Page): Promise<number> {
  const text = (await page.locator('aside [role="timer"]').textContent()) ?? '';
  const parts = text.split(':').map(Number);
  return parts.reduce((acc, n) => acc * 60 + n, 0);
}

/** What the server stored for a candidate: progress, events and chat. */
async function serverRecord(examId: string, candidateId: string) {
  const s = await createServices(e.dir);
  try {
    return {
      progress: await s.progress.get(examId, candidateId),
      events: (await s.events.list(examId, candidateId)).map((x) => x.type),
      chat: await s.events.chat(examId, candidateId),
    };
  } finally {
    await s.db.destroy();
  }
}

test('one candidate through every step by the visible labels, to "上传成功"; every view passes axe', async () => {
  const t = await shortExam('flow', 35 * SEC);
  const context = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await walkToExam(page, e.server.url, 'cA-1', 'TA-1', {
    examId: 'flow',
    onStep: async (step) => {
      await assertAccessible(page, step);
      await shot(page, `desktop-${step}`);
      // R8: another camera while recording — the recording goes on in a new segment.
      if (step === 'devices') {
        const camera = page.locator('select#camera');
        await camera.selectOption({ label: 'fake_device_1' });
        await sleep(2500);
        await page.locator('select#camera:enabled').waitFor();
      }
    },
  });
  // R9: the countdown page until the start; the question appears by itself at the start.
  await page.getByRole('heading', { name: '等待开考' }).waitFor();
  await assertAccessible(page, 'exam (waiting)');
  const question = page.getByText('Question one');
  await question.waitFor({ timeout: t.startAt - Date.now() + 15 * SEC });
  assert.ok(Date.now() >= t.startAt - 1500, 'not before the start');
  assert.equal(await page.getByTestId('stage').textContent(), '读题备考');
  await shot(page, 'desktop-exam-reading');
  // 【求助】: a message reaches the server (the proctor's side reads it there).
  await page.getByRole('button', { name: '求助' }).click();
  await page.getByLabel('给监督员的消息').fill('请问可以开始了吗？');
  await page.getByRole('button', { name: '发送' }).click();
  await page.locator('li.candidate:not([data-pending])').waitFor({ timeout: 20 * SEC });
  await assertAccessible(page, 'exam (reading, chat open)');
  // Answering cannot start early: the stage changes only at the answering time.
  await page.getByTestId('stage').filter({ hasText: '回答问题' }).waitFor({ timeout: t.answeringAt - Date.now() + 10 * SEC });
  assert.ok(Date.now() >= t.answeringAt - 1500, 'answering not before its time');
  await shot(page, 'desktop-exam-answering');
  await sampleUploadRows(page);
  await endExam(page);
  await page.getByText('上传成功').nth(1).waitFor({ timeout: 60 * SEC });
  await assertUploadRowsHonest(page);
  await page.getByText('全部录像已上传成功').waitFor();
  const kept = await localCopies(page);
  assert.deepEqual(kept.map((r) => [r.kind, r.state, r.segments]), [['camera', 'verified', 2], ['screen', 'verified', 1]], 'the camera switch made a second camera segment');
  await assertAccessible(page, 'upload');
  await shot(page, 'desktop-upload');
  const record = await serverRecord('flow', 'cA-1');
  assert.ok(record.progress.enteredAt !== null && record.progress.endedAt !== null, JSON.stringify(record.progress));
  assert.ok(record.events.includes('entered') && record.events.includes('ended-early') && record.events.includes('login-capture'), record.events.join(' '));
  assert.deepEqual(record.chat.map((m) => m.text), ['请问可以开始了吗？']);
  await context.close();
});

test('sealed at entry, offline from right after entry until after the end: question on time, both phases, every recording verified after', async () => {
  const t = await shortExam('sealed', 30 * SEC, { questionRelease: 'sealed-at-entry' });
  const context = await e.browser.newContext();
  const page = await context.newPage();
  await walkToExam(page, e.server.url, 'cA-1', 'TA-1', { examId: 'sealed' });
  await context.setOffline(true);
  await page.getByText('网络已断开').first().waitFor();
  // 【求助】 typed offline: kept on the device, marked as not sent.
  await page.getByRole('button', { name: '求助' }).click();
  await page.getByLabel('给监督员的消息').fill('网络断了，录像会丢吗？');
  await page.getByRole('button', { name: '发送' }).click();
  await page.getByText('未发送，联网后自动发送').waitFor();
  await page.getByText('Question one').waitFor({ timeout: t.startAt - Date.now() + 15 * SEC });
  assert.ok(Date.now() >= t.startAt - 1500, 'revealed at the server-time start, not before');
  // Chatting offline on a laptop screen: the network state, the question and the countdown stay in view.
  for (const [width, height] of [[1280, 800], [1366, 768]] as const) {
    await page.setViewportSize({ width, height });
    await page.getByLabel('给监督员的消息').fill('');
    await page.getByLabel('给监督员的消息').pressSequentially('我再写一条：网络还没恢复，请问需要做什么吗？');
    for (const [what, sel] of [['network state', '[data-net="offline"]'], ['question', '[data-question="q1"]'], ['countdown', 'aside [role="timer"]']] as const) {
      const box = await page.locator(sel).boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= height && box.x >= 0 && box.x + box.width <= width, `${width}×${height}: the ${what} in view (${JSON.stringify(box)})`);
    }
  }
  await shot(page, 'desktop-exam-offline-chat-1366x768');
  await page.getByTestId('stage').filter({ hasText: '回答问题' }).waitFor({ timeout: t.answeringAt - Date.now() + 10 * SEC });
  // The end: recording stops by itself; the upload screen waits for the network.
  await waitForStep(page, 'upload', t.endAt - Date.now() + 15 * SEC);
  await page.getByText('等待网络').first().waitFor();
  const local = await localCopies(page);
  assert.equal(local.length, 2);
  await sampleUploadRows(page);
  await context.setOffline(false);
  await page.getByText('上传成功').nth(1).waitFor({ timeout: 90 * SEC });
  await assertUploadRowsHonest(page);
  await assertServerCopies(local, { dataDir: e.dir, examId: 'sealed', candidate: 'cA-1' }, 10 * SEC);
  for (let i = 0; !(await serverRecord('sealed', 'cA-1')).chat.length; i++) {
    if (i > 40) assert.fail('the chat typed offline never reached the server');
    await sleep(500);
  }
  const record = await serverRecord('sealed', 'cA-1');
  assert.equal(record.chat[0]?.text, '网络断了，录像会丢吗？');
  assert.ok(record.events.includes('offline') && record.events.includes('entered'), record.events.join(' '));
  await context.close();
});

test('device clock ±1 h, offline at the start then back, reload mid-exam: same deadlines, right step, recording continues; the upload rows never go back across a reload', async () => {
  const t = await shortExam('clock', 30 * SEC, { timeline: { readingMinutes: 0.5 } });
  const context = await e.browser.newContext();
  await installShiftableClock(context);
  let page = await context.newPage();
  await page.goto(`${e.server.url}/robots.txt`);
  await setClockShift(page, 3_600_000);
  await walkToExam(page, e.server.url, 'cA-2', 'TA-2', { examId: 'clock' });
  const waitLeft = await timerSeconds(page);
  assert.ok(Math.abs(waitLeft - (t.startAt - Date.now()) / SEC) <= 3, `countdown ${waitLeft} s with the device clock an hour ahead`);
  // Offline shortly before the start: the countdown runs on; the key cannot come; retried.
  await sleep(Math.max(0, t.startAt - Date.now() - 8 * SEC));
  await context.setOffline(true);
  await page.getByText('网络未连接，正在重试获取题目').waitFor({ timeout: 20 * SEC });
  assert.equal(await page.getByTestId('stage').textContent(), '读题备考');
  await context.setOffline(false);
  await page.getByText('Question one').waitFor({ timeout: 15 * SEC });
  // Reopened mid-reading with the device clock now an hour behind.
  await setClockShift(page, -3_600_000);
  await page.close();
  page = await context.newPage();
  await page.goto(`${e.server.url}/#/?exam=clock`);
  await waitForStep(page, 'exam');
  await page.getByText('Question one').waitFor();
  const left = await timerSeconds(page);
  assert.ok(Math.abs(left - (t.answeringAt - Date.now()) / SEC) <= 3, `reading left ${left} s after the reload`);
  // The side panel's camera box says why it is dark, until recording resumes.
  await page.locator('aside camera-preview [data-empty]').getByText('录制已暂停：请点击上方【继续录制】').waitFor();
  await resumeRecording(page);
  await page.locator('aside camera-preview [data-empty]').waitFor({ state: 'detached' });
  // This page's upload resumes what the closed one had sent: its rows, too, stay honest.
  await sampleUploadRows(page);
  await sleep(3 * SEC);
  await context.setOffline(true);
  await endExam(page);
  const local = await localCopies(page);
  assert.deepEqual(local.map((r) => r.segments), [2, 2], 'the recording continued as a second segment');
  // The upload screen reopened while offline: each row goes on from the figure it showed, never
  // from less (the new page's first rows come from what the device stored).
  await sleep(1_000);
  const shown = (await uploadRowFaults(page)).last;
  assert.deepEqual(Object.keys(shown).sort(), ['camera', 'screen'], 'rows shown before the reload');
  await page.reload();
  await waitForStep(page, 'upload');
  await sampleUploadRows(page);
  await sleep(1_500);
  const reopened = await page.evaluate<{ kind: string; value: number; max: number }[]>('window.__uploadRows');
  for (const [kind, before] of Object.entries(shown)) {
    const mine = reopened.filter((r) => r.kind === kind);
    assert.ok(mine.length > 0, `${kind}: a row after the reload`);
    const lowest = Math.min(...mine.map((r) => r.value));
    assert.ok(lowest >= before.value && mine.every((r) => r.max >= before.max), `${kind}: ${before.value}/${before.max} before the reload, then as low as ${lowest} (${JSON.stringify(mine.slice(0, 3))})`);
  }
  await context.setOffline(false);
  await page.getByText('上传成功').nth(1).waitFor({ timeout: 60 * SEC });
  await assertUploadRowsHonest(page);
  await context.close();
});

test('【进入考试】 is disabled before the entry window, with the time it opens', async () => {
  await e.importExam(examFixture({ id: 'early', startAt: Date.now() + 30 * MIN, rooms: { A: 2 }, timeline: { entryOpensMinutesBefore: 10 } }));
  const context = await e.browser.newContext();
  const page = await context.newPage();
  await walkToExam(page, e.server.url, 'cA-1', 'TA-1', { stopAtEnter: true, examId: 'early' });
  assert.equal(await page.getByRole('button', { name: '进入考试' }).isDisabled(), true);
  await page.getByText('距可以进入考试').waitFor();
  await page.getByRole('button', { name: '刷新' }).click();
  assert.equal(await page.getByRole('button', { name: '进入考试' }).isDisabled(), true);
  await context.close();
});

test('keyboard only, at phone size (360×740): every step reachable and operable, axe-clean, photographed', async () => {
  await e.importExam(examFixture({ id: 'kbd', startAt: Date.now() + 10 * MIN, rooms: { A: 2 } }));
  const context = await e.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: false });
  const page = await context.newPage();
  const step = async (name: string) => {
    await waitForStep(page, name);
    await assertAccessible(page, `${name} (phone)`);
    await shot(page, `phone-${name}`);
  };
  const readDocument = async () => {
    await tabTo(page, 'div', 'document');
    await page.keyboard.press('End');
  };
  await page.goto(`${e.server.url}/#/?exam=kbd`);
  await step('check');
  await page.getByRole('button', { name: '下一步' }).and(page.locator(':enabled')).waitFor();
  await pressByKeyboard(page, '下一步');
  await step('login');
  await tabTo(page, 'input', 'candidate-id');
  await page.keyboard.type('cA-1');
  await page.keyboard.press('Tab');
  await page.keyboard.type('TA-1');
  await tabTo(page, 'input', 'manual-check');
  await page.keyboard.press('Space');
  await pressByKeyboard(page, '登录');
  await step('procedure');
  await readDocument();
  await pressByKeyboard(page, '下一步');
  await step('evidence');
  await pressByKeyboard(page, '下一步');
  await step('lottery');
  await pressByKeyboard(page, '抽签');
  await page.getByTestId('lottery-number').waitFor();
  await pressByKeyboard(page, '下一步');
  for (const doc of ['pledge', 'notice']) {
    await step(doc);
    await readDocument();
    await pressByKeyboard(page, '我已阅读并同意');
  }
  await step('enter');
  await pressByKeyboard(page, '进入考试');
  await step('devices');
  await pressByKeyboard(page, '下一步');
  await step('exam');
  await pressByKeyboard(page, '求助');
  await tabTo(page, 'textarea', 'chat-text');
  await page.keyboard.type('keyboard only');
  await pressByKeyboard(page, '发送');
  await page.locator('li.candidate').filter({ hasText: 'keyboard only' }).waitFor();
  await shot(page, 'phone-exam-chat');
  await pressByKeyboard(page, '结束考试');
  await pressByKeyboard(page, '确认');
  await step('upload');
  await context.close();
});
