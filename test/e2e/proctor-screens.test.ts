import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { assertAccessible, shot, tabTo, walkToExam } from '../helpers/flow-e2e.js';
import { openTile, pictureMoving, proctorLogin, tile, videoMoving } from '../helpers/proctor-e2e.js';

// The proctor's room as an exam day looks: 16 candidates in every state — two live in real
// browsers, the rest on their devices' own sockets (logged in at some step, in the exam,
// offline, flagged, asking for help). Screenshots at 1280×800 (9 a page) and 1920×1080 (16),
// in zh-CN and English, for looking at; axe and the keyboard checked on each.
let e: E2eEnv;
const sockets: WebSocket[] = [];
const SEC = 1000;
/** When the silent device (cA-5) sent its one heartbeat. */
let silentSince = 0;

before(async () => {
  e = await e2eEnv(examFixture({ id: 'day', startAt: Date.now() + 12 * MIN, rooms: { A: 16 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
});
after(async () => {
  for (const ws of sockets) ws.close();
  await e?.close();
});

async function call(path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${e.server.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!r.ok) assert.fail(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, unknown>;
}

/** A candidate's device without a browser: logs in, optionally enters, and keeps a socket with heartbeats. */
/** The device upload credential of each device made by `device()`, by number. */
const uploads = new Map<number, string>();

async function device(n: number, opts: { step: string; enter?: boolean; chat?: string; flag?: 'no-face' | 'several-faces'; silent?: boolean }): Promise<void> {
  const id = `cA-${n}`;
  const login = await call('/api/session/candidate', { candidateId: id, ticketCode: `TA-${n}`, deviceId: `device-screens-${n}-aaaaaaaaaa` });
  const token = login.token as string;
  const upload = login.uploadCredential as string;
  uploads.set(n, upload);
  await call('/api/candidate/lottery/draw', {}, token);
  if (opts.enter) {
    for (const document of ['procedure', 'pledge', 'notice']) await call('/api/candidate/accept', { document }, token);
    await call('/api/candidate/enter', {}, token);
  }
  const at = Date.now();
  if (opts.flag) {
    await call('/api/device/events', { events: [
      { id: `event-${n}-0001`, type: 'face-flag', at, detail: { flag: opts.flag, kind: 'suspicious', state: 'raised' } },
      { id: `event-${n}-0002`, type: 'tab-hidden', at: at + 1 },
    ] }, upload);
  }
  if (opts.chat) await call('/api/device/chat', { messages: [{ id: `chat-${n}-00001`, text: opts.chat, at }] }, upload);
  const ws = new WebSocket(`${e.server.url.replace('http', 'ws')}/ws`);
  sockets.push(ws);
  await new Promise((r) => ws.on('open', r));
  ws.send(JSON.stringify({ type: 'auth', token }));
  const beat = () => ws.readyState === 1 && ws.send(JSON.stringify({ type: 'heartbeat', state: {
    step: opts.step, recording: opts.enter === true, watchedBy: 0,
    recordings: opts.enter ? [{ id: `rec-${n}-cam`, kind: 'camera', bytes: 2_000_000 }, { id: `rec-${n}-scr`, kind: 'screen', bytes: 900_000 }] : [],
  } }));
  await new Promise((r) => setTimeout(r, 300));
  beat();
  // A silent device stops after its first heartbeat: offline, still recording.
  if (opts.silent) silentSince = Date.now();
  else {
    const timer = setInterval(beat, 3_000);
    ws.on('close', () => clearInterval(timer));
  }
}

async function lookAt(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(1_500);
  await shot(page, name);
}

test('16 candidates in every state: screenshots at 1280×800 and 1920×1080 in both languages, axe clean, keyboard-usable', async () => {
  const live: Page[] = [];
  for (const n of [1, 2]) {
    const page = await (await e.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await walkToExam(page, e.server.url, `cA-${n}`, `TA-${n}`, { examId: 'day' });
    live.push(page);
  }
  await device(3, { step: 'exam', enter: true, chat: '麦克风好像没有声音，怎么办？' });
  await device(4, { step: 'exam', enter: true, flag: 'several-faces' });
  await device(5, { step: 'exam', enter: true, silent: true });
  await device(6, { step: 'pledge' });
  await device(7, { step: 'lottery' });
  await device(8, { step: 'exam', enter: true });
  await device(9, { step: 'evidence' });
  await device(10, { step: 'exam', enter: true, flag: 'no-face' });

  const page = await (await e.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  // The console's socket is slow to open: the server's `ready` (and any push before it) is held
  // until cA-5 has gone offline at the server (7.5 s of silence, swept each second). The room was
  // read before that; the console must read it again once its socket opens, or cA-5 never shows
  // offline (no push will come: it stays silent).
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    let held = true;
    server.onMessage((m) => {
      const type = (JSON.parse(String(m)) as { type: string }).type;
      if (!held) ws.send(m);
      else if (type === 'ready') {
        void new Promise((r) => setTimeout(r, Math.max(0, silentSince + 10 * SEC - Date.now()))).then(() => {
          held = false;
          ws.send(m);
        });
      }
    });
  });
  await proctorLogin(page, e.server.url, 'day', 'p1', PROCTOR_PASSWORD);
  // Offline after a silence of 7.5 s: wait for it, so the screenshots show it.
  await tile(page, 'cA-5').getByText(/仍在本机录制/).waitFor({ timeout: 15 * SEC });
  assert.equal(await page.locator('proctor-tile').count(), 9, '1280×800: nine a page');
  // Sorted by need: the help request first, then the raised flags (the two live candidates show
  // no face to the fake camera) and the offline one, before the quiet ones.
  const order = await page.locator('article[data-candidate]').evaluateAll((els) => els.map((x) => x.getAttribute('data-candidate')));
  assert.equal(order[0], 'cA-3', order.join(' '));
  assert.deepEqual(new Set(order.slice(0, 6)), new Set(['cA-1', 'cA-2', 'cA-3', 'cA-4', 'cA-5', 'cA-10']), order.join(' '));
  await page.getByText('第 1 / 2 页').waitFor();
  for (const n of [1, 2]) {
    const id = `cA-${n}`;
    if ((await tile(page, id).count()) === 1) assert.ok((await videoMoving(page, id, 'video', 10_000)).differ, `${id} live`);
  }
  await lookAt(page, 'proctor-room-9-1280x800-zh-CN');
  await assertAccessible(page, 'room, 9 tiles');
  // The keyboard reaches a tile and opens it.
  await tabTo(page, 'button', '打开 Cand A3 的详情');
  await page.keyboard.press('Enter');
  await page.locator('section[data-detail="cA-3"]').waitFor();
  // It opens below the grid: brought into view, with focus on its title.
  const focusedId = `(() => { let el = document.activeElement; while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement; return el ? el.id : ''; })()`;
  for (let i = 0; (await page.evaluate<string>(focusedId)) !== 'detail-title'; i++) {
    if (i > 50) assert.fail('the opened detail has focus on its title');
    await page.waitForTimeout(100);
  }
  assert.ok(await page.locator('#detail-title').isVisible());
  await lookAt(page, 'proctor-detail-1280x800-zh-CN');
  await page.getByRole('button', { name: '关闭' }).click();

  await page.setViewportSize({ width: 1920, height: 1080 });
  for (let i = 0; (await page.locator('proctor-tile').count()) !== 16; i++) {
    if (i > 50) assert.fail('1920×1080: sixteen a page');
    await page.waitForTimeout(100);
  }
  // The live pictures go on after the grid grew (tiles added, every tile laid out anew): none is left dark.
  for (const id of ['cA-1', 'cA-2']) assert.ok(await pictureMoving(page, id), `${id}'s picture moves on the screen at 1920×1080`);
  await lookAt(page, 'proctor-room-16-1920x1080-zh-CN');

  await page.getByRole('button', { name: 'English' }).click();
  await page.getByText('Per page').waitFor();
  await lookAt(page, 'proctor-room-16-1920x1080-en');
  await assertAccessible(page, 'room, 16 tiles, English');
  await openTile(page, 'cA-3');
  await page.locator('section[data-detail="cA-3"]').getByText('麦克风好像没有声音，怎么办？').waitFor();
  await lookAt(page, 'proctor-detail-chat-1920x1080-en');
  await assertAccessible(page, 'detail, English');
  await page.getByRole('button', { name: 'Close' }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
  await lookAt(page, 'proctor-room-9-1280x800-en');

  // Tiles hold still while the proctor aims at them: a new 【求助】 from cA-8 (it would sort
  // first) moves nothing while the pointer moves over the grid; once it rests elsewhere, it does.
  const shown = () => page.locator('article[data-candidate]').evaluateAll((els) => els.map((x) => x.getAttribute('data-candidate')));
  const held = await shown();
  assert.notEqual(held[0], 'cA-8');
  const box = (await tile(page, held[4]!).boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + 20);
  await call('/api/device/chat', { messages: [{ id: 'chat-8-00001', text: '请问可以喝水吗？', at: Date.now() }] }, uploads.get(8));
  for (let i = 0; i < 10; i++) {
    await page.mouse.move(box.x + 20 + (i % 2) * 30, box.y + 20);
    await page.waitForTimeout(400);
    assert.deepEqual(await shown(), held, 'no tile moves under the pointer');
  }
  await page.mouse.move(5, 5);
  for (let i = 0; (await shown())[0] !== 'cA-8'; i++) {
    if (i > 60) assert.fail(`the help request sorts first once the pointer left: ${(await shown()).join(' ')}`);
    await page.waitForTimeout(100);
  }

  // The same for a keyboard user: while focus rests on a tile (longer than the pointer's 3 s), a
  // new 【求助】 from cA-3 (read before, so sorted down) moves nothing and the focus stays on that
  // tile; focus gone, it sorts to the top beside cA-8's.
  const resting = await shown();
  assert.ok(resting.indexOf('cA-3') === -1 || resting.indexOf('cA-3') > 1, resting.join(' '));
  const focused = resting.find((id) => id !== 'cA-3' && id !== 'cA-8')!;
  await tile(page, focused).locator('button.open').focus();
  await call('/api/device/chat', { messages: [{ id: 'chat-3-00002', text: '屏幕共享断了一下。', at: Date.now() }] }, uploads.get(3));
  await page.waitForTimeout(6_000);
  assert.deepEqual(await shown(), resting, 'no tile moves while focus rests on one');
  assert.ok(await tile(page, focused).locator('button.open').evaluate((b) => b.matches(':focus')), `focus stays on ${focused}'s tile`);
  await page.mouse.click(5, 5);
  for (let i = 0; ![0, 1].includes((await shown()).indexOf('cA-3')); i++) {
    if (i > 60) assert.fail(`the new help request sorts once focus left the grid: ${(await shown()).join(' ')}`);
    await page.waitForTimeout(100);
  }

  // A re-sort hands the two live streams to other tiles: both pictures still move on the screen
  // (checked on the screen itself, not only on the elements: a picture can decode and not show).
  // The later of the two live candidates asks for help and sorts ahead of the other.
  const before = await shown();
  const later = before.indexOf('cA-1') > before.indexOf('cA-2') ? 1 : 2;
  const asking = live[later - 1]!;
  await asking.getByRole('button', { name: '求助' }).click();
  await asking.getByLabel('给监督员的消息').fill('请问可以开始作答了吗？');
  await asking.getByRole('button', { name: '发送' }).click();
  for (let i = 0; (await shown()).indexOf(`cA-${later}`) > (await shown()).indexOf(`cA-${3 - later}`); i++) {
    if (i > 100) assert.fail(`cA-${later}, asking for help, sorts ahead of cA-${3 - later}: ${(await shown()).join(' ')}`);
    await page.waitForTimeout(100);
  }
  for (const id of ['cA-1', 'cA-2']) assert.ok(await pictureMoving(page, id), `${id}'s picture moves on the screen after the re-sort`);
  await lookAt(page, 'proctor-room-9-1280x800-resorted-en');
});
