import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { hashPassword } from '../../server/auth/password.js';
import { createServices } from '../../server/services.js';
import { startLinkProxy, type LinkProxy } from '../../bench/lib/link-proxy.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { assertAccessible, shot, waitForStep, walkToExam } from '../helpers/flow-e2e.js';
import { endExam } from '../helpers/recording-e2e.js';
import { openTile, proctorLogin, tile, videoMoving } from '../helpers/proctor-e2e.js';

// R11: one proctor page and three candidate pages (cA-1 and cA-2 in the proctor's room A, cB-1
// in room B), the real server, real WebRTC between the pages. cA-2 reaches the server through a
// link the test can cut (Chromium's offline switch leaves WebSockets and WebRTC up).
let e: E2eEnv;
let link: LinkProxy;
let proctor: Page;
const pages = new Map<string, { context: BrowserContext; page: Page }>();
const SEC = 1000;

before(async () => {
  const exam = examFixture({ id: 'live', startAt: Date.now() + 12 * MIN, rooms: { A: 3, B: 1 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) });
  e = await e2eEnv(exam);
  link = await startLinkProxy(new URL(e.server.url));
});
after(async () => {
  await e?.close();
  await link?.close();
});

/** What the server stored about a candidate: progress, the proctors' actions, identity, outages. */
async function stored(candidate: string) {
  const s = await createServices(e.dir);
  try {
    return {
      progress: await s.progress.get('live', candidate),
      actions: await s.roomView.actions('live', candidate),
      identity: await s.db.selectFrom('identity_checks').selectAll().where('exam_id', '=', 'live').where('candidate_id', '=', candidate).executeTakeFirst(),
      events: (await s.events.list('live', candidate)).map((x) => x.type),
    };
  } finally {
    await s.db.destroy();
  }
}

/** The peer address of the proctor who asked this page's candidate for a live view (from the socket's `watch`). */
const watchers = new Map<string, string>();

async function candidatePage(id: string, url = e.server.url): Promise<Page> {
  const context = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  pages.set(id, { context, page });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    const m = JSON.parse(String(f.payload)) as { type: string; from?: string };
    if (m.type === 'watch' && m.from) watchers.set(id, m.from);
  }));
  await walkToExam(page, url, id, id.replace(/^c/, 'T'), { examId: 'live', stopAtEnter: true });
  return page;
}

/** Presses 【进入考试】 and goes on to the exam page; resolves when it shows. */
async function enter(page: Page): Promise<void> {
  await page.getByRole('button', { name: '进入考试' }).click();
  await waitForStep(page, 'devices');
  await page.getByRole('button', { name: '下一步' }).click();
  await waitForStep(page, 'exam');
}

test('live, moving video of both own-room candidates within 5 s of entering; the other room never shows and its signals are refused; a candidate cannot be a proctor', async () => {
  const pctx = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  proctor = await pctx.newPage();
  await proctorLogin(proctor, e.server.url, 'live', 'p1', PROCTOR_PASSWORD);
  assert.equal(await proctor.locator('article[data-candidate]').count(), 3, 'room A: three candidates');

  const a1 = await candidatePage('cA-1');
  const a2 = await candidatePage('cA-2', link.url);
  for (const [id, page] of [['cA-1', a1], ['cA-2', a2]] as const) {
    await enter(page);
    const v = await videoMoving(proctor, id, 'video', 8_000);
    assert.ok(v.readyMs <= 5_000, `${id}: first frame ${Math.round(v.readyMs)} ms after entering`);
    assert.ok(v.frames >= 2 && v.differ, `${id}: the video moves (${JSON.stringify(v)})`);
    // The candidate is told, plainly, that a proctor is watching live.
    await page.locator('[data-live]').waitFor({ timeout: 5 * SEC });
  }

  // Room B's candidate: its own socket may not reach the proctor of room A.
  const b1 = await candidatePage('cB-1');
  await enter(b1);
  const token = await login('cB-1');
  const ws = new WebSocket(`${e.server.url.replace('http', 'ws')}/ws`);
  const replies: { type: string; code?: string }[] = [];
  ws.on('message', (d) => replies.push(JSON.parse((d as Buffer).toString()) as { type: string; code?: string }));
  await new Promise((r) => ws.on('open', r));
  ws.send(JSON.stringify({ type: 'auth', token }));
  await until(() => replies.some((m) => m.type === 'ready'), 5 * SEC, 'ready');
  // Room B's candidate addresses room A's proctor (its peer address, as cA-1's socket heard it).
  const proctorPeer = watchers.get('cA-1');
  assert.ok(proctorPeer, 'the proctor asked cA-1 for its live view');
  ws.send(JSON.stringify({ type: 'signal', to: proctorPeer, link: 'l-intruder-000001', data: { type: 'offer', sdp: 'v=0' } }));
  await until(() => replies.some((m) => m.type === 'error'), 5 * SEC, 'a refusal');
  assert.equal(replies.find((m) => m.type === 'error')?.code, 'forbidden');
  ws.close();
  await proctor.waitForTimeout(3 * SEC);
  assert.equal(await proctor.locator('article[data-candidate="cB-1"]').count(), 0, 'room B never on room A’s console');
  assert.equal(await proctor.locator('article[data-candidate]').count(), 3);
  // A candidate's token is no proctor's: the room API refuses it.
  const asProctor = await fetch(`${e.server.url}/api/proctor/room`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(asProctor.status, 403);
  await assertAccessible(proctor, 'proctor room');
});

test('a presence flag raised on the candidate’s device shows on the tile within 3 s', async () => {
  // The fake camera shows a test card, never a face: the device raises "no face" in the exam.
  const a1 = pages.get('cA-1')!.page;
  await a1.locator('[data-presence]').first().waitFor({ timeout: 30 * SEC });
  const raised = Date.now();
  await tile(proctor, 'cA-1').locator('ul.chips li', { hasText: /看不清|可疑/ }).first().waitFor({ timeout: 3 * SEC });
  assert.ok(Date.now() - raised <= 3 * SEC, `${Date.now() - raised} ms`);
});

test('offline: "still recording" on the tile within 10 s; a 【求助】 typed offline arrives; the outage is listed with its length; chat both ways', async () => {
  const { context, page } = pages.get('cA-2')!;
  const cut = Date.now();
  link.setDown(true);
  await context.setOffline(true);
  await tile(proctor, 'cA-2').getByText(/起离线 — 仍在本机录制/).waitFor({ timeout: 10 * SEC });
  assert.ok(Date.now() - cut <= 10 * SEC);
  await page.getByRole('button', { name: '求助' }).click();
  await page.getByLabel('给监督员的消息').fill('网络断了，还能继续吗？');
  await page.getByRole('button', { name: '发送' }).click();
  await page.getByText('未发送，联网后自动发送').waitFor();
  await page.waitForTimeout(4 * SEC);
  link.setDown(false);
  await context.setOffline(false);
  const back = Date.now();
  // The message written offline reaches the console: unread badge on the tile.
  await tile(proctor, 'cA-2').getByText('求助 1').waitFor({ timeout: 20 * SEC });
  await tile(proctor, 'cA-2').getByText(/仍在本机录制/).waitFor({ state: 'detached', timeout: 10 * SEC });
  assert.ok(Date.now() - back <= 20 * SEC);

  await openTile(proctor, 'cA-2');
  const detail = proctor.locator('section[data-detail="cA-2"]');
  await detail.getByText('网络断了，还能继续吗？').waitFor();
  // One outage, with its length (about the time the link was down).
  const outage = await detail.locator('ul[data-outages] li').first().textContent() ?? '';
  assert.match(outage, /\(\d\d:\d\d\)|\(\d+:\d\d:\d\d\)/, outage);
  const [mm, ss] = /\((\d\d):(\d\d)\)/.exec(outage)!.slice(1).map(Number) as [number, number];
  assert.ok(mm * 60 + ss >= 8 && mm * 60 + ss <= 40, `outage length ${outage}`);
  await shot(proctor, 'proctor-detail-chat-zh-CN');
  await assertAccessible(proctor, 'candidate detail');
  // Opening the detail reads the thread: the badge goes.
  await tile(proctor, 'cA-2').getByText('求助 1').waitFor({ state: 'detached', timeout: 5 * SEC });
  await detail.getByLabel('回复考生').fill('可以，录像在你的电脑上，联网后会自动上传。');
  await detail.getByRole('button', { name: '发送', exact: true }).click();
  await page.getByText('可以，录像在你的电脑上，联网后会自动上传。').waitFor({ timeout: 5 * SEC });
  await detail.getByRole('button', { name: '关闭' }).click();
});

test('actions: confirm identity, a warning, extra time (the deadline moves by exactly that much), end for cause — each on both sides and stored', async () => {
  const a1 = pages.get('cA-1')!.page;
  // A slow reply about the candidate closed a moment ago must not replace the one opened since:
  // cA-2's detail is open, a message of cA-2's makes the console read it again over a slow link,
  // the proctor closes it and opens cA-1 meanwhile.
  const a2 = pages.get('cA-2')!.page;
  await openTile(proctor, 'cA-2');
  await proctor.locator('section[data-detail="cA-2"]').waitFor();
  await proctor.route('**/api/proctor/candidates/cA-2', async (route) => {
    await new Promise((r) => setTimeout(r, 3 * SEC));
    await route.continue();
  });
  const slowRead = proctor.waitForRequest('**/api/proctor/candidates/cA-2');
  if (!(await a2.getByLabel('给监督员的消息').isVisible())) await a2.getByRole('button', { name: '求助' }).click();
  await a2.getByLabel('给监督员的消息').fill('还有一个问题。');
  await a2.getByRole('button', { name: '发送' }).click();
  await slowRead;
  await proctor.locator('section[data-detail="cA-2"]').getByRole('button', { name: '关闭' }).click();
  await openTile(proctor, 'cA-1');
  const detail = proctor.locator('section[data-detail="cA-1"]');
  await detail.waitFor().catch(async (err: unknown) => {
    // Seen (2 of 5 runs, and a CI) when a re-sort came between finding the tile and a click from
    // nowhere; openTile now rests the pointer first, as a hand does. Say what opened instead.
    const open = await proctor.locator('section[data-detail]').evaluateAll((els) => els.map((e) => e.getAttribute('data-detail')));
    const alerts = await proctor.locator('[role="alert"]').allTextContents();
    assert.fail(`cA-1's detail did not open (open: ${JSON.stringify(open)}; alerts: ${JSON.stringify(alerts)}): ${String(err)}`);
  });
  await proctor.waitForTimeout(4 * SEC);
  assert.equal(await proctor.locator('section[data-detail="cA-2"]').count(), 0, 'the late reply about cA-2 did not come back');
  assert.ok(await detail.isVisible(), 'cA-1, opened last, is the one shown');
  await proctor.unroute('**/api/proctor/candidates/cA-2');
  // cA-1 logged in on the non-face path: identity waits for the proctor's live check.
  await tile(proctor, 'cA-1').getByText('待人工核验身份').waitFor();
  await detail.getByRole('button', { name: '确认身份（已人工核验）' }).click();
  await tile(proctor, 'cA-1').getByText('身份已核验').waitFor({ timeout: 5 * SEC });
  await a1.getByRole('button', { name: /求助/ }).click();
  await a1.getByText('监督员已人工核验你的身份。').waitFor({ timeout: 5 * SEC });

  await detail.getByLabel('警告内容（考生会在屏幕上看到）').fill('请把手机放在桌面上，不要拿在手里。');
  await detail.getByRole('button', { name: '发送警告' }).click();
  await a1.locator('[data-proctor-warning]').getByText('请把手机放在桌面上，不要拿在手里。').waitFor({ timeout: 5 * SEC });
  await a1.getByRole('button', { name: '我知道了' }).click();

  const before = Number(await a1.locator('[data-ends-at]').getAttribute('data-ends-at'));
  await detail.getByLabel('分钟').fill('7');
  await detail.getByLabel('原因（必填，会记录）').first().fill('网络中断补时');
  await detail.getByRole('button', { name: '延长', exact: true }).click();
  await a1.locator(`[data-ends-at="${before + 7 * MIN}"]`).waitFor({ timeout: 5 * SEC });
  await a1.getByText('含监督员延长的 7 分钟').waitFor();
  await shot(a1, 'candidate-exam-after-actions-zh-CN');

  await detail.getByLabel('原因（必填，会记录）').nth(1).fill('考试中使用手机');
  await detail.getByRole('button', { name: '结束考试（违规）' }).click();
  await detail.getByRole('button', { name: '确定结束' }).click();
  await tile(proctor, 'cA-1').getByText('已由监督员结束').waitFor({ timeout: 5 * SEC });
  await waitForStep(a1, 'upload', 10 * SEC);
  await a1.getByText(/监督员已结束你的考试/).first().waitFor();

  const s = await stored('cA-1');
  assert.deepEqual(s.actions.map((a) => [a.type, a.proctor]), [['confirm-identity', 'p1'], ['warning', 'p1'], ['extra-time', 'p1'], ['end-for-cause', 'p1']]);
  assert.deepEqual(s.actions[2]!.detail, { minutes: 7, reason: '网络中断补时' });
  assert.equal(s.progress.extraMs, 7 * MIN);
  assert.equal(s.progress.endedBy, 'proctor');
  assert.equal(s.identity?.confirmed_by, 'p1');
  for (const type of ['identity-confirmed', 'proctor-warning', 'extra-time', 'ended-for-cause']) assert.ok((s.events as string[]).includes(type), type);
  await detail.getByRole('button', { name: '关闭' }).click();
});

test('after the exam every recording reaches 100 % on the tile (the outage cost nothing)', async () => {
  const a2 = pages.get('cA-2')!.page;
  await endExam(a2);
  for (const id of ['cA-1', 'cA-2']) {
    const uploads = tile(proctor, id).locator('p.uploads span');
    await until(async () => {
      const texts = await uploads.allTextContents();
      return texts.length === 2 && texts.every((x) => x.endsWith('✓'));
    }, 90 * SEC, `${id}: every recording verified`);
  }
});

/** A session token for a candidate from the login API (taking the session over from its browser). */
async function login(candidate: string): Promise<string> {
  const r = await fetch(`${e.server.url}/api/session/candidate`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ candidateId: candidate, ticketCode: candidate.replace(/^c/, 'T'), deviceId: `device-${candidate}-node-aaaaaaaa`, takeOver: true }),
  });
  assert.equal(r.status, 200);
  return ((await r.json()) as { token: string }).token;
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
