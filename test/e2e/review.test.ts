import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { ROOT } from '../helpers/child-server.js';
import { assertAccessible, shot } from '../helpers/flow-e2e.js';
import { headOf, putChunk } from '../helpers/upload-client.js';

// Review (R13, issue 15 items 1–3) in real Chromium against the built server: a candidate's
// camera (two segments with a gap), screen and phone recordings, flags, an integrity signal and a
// chat message; a reviewer signs in, finds the candidate first in the list, plays the three
// streams in sync, seeks by marker and by key, judges the flags and the candidate, reloads.
const WEBM = 'video/webm;codecs=vp8,opus';
let e: E2eEnv;
let page: Page;
/** Server time of the first camera segment; everything is placed from it. */
let T0 = 0;

async function call(method: string, url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${e.server.url}${url}`, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) assert.fail(`${url}: ${r.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

/** One recording of the 4-s fixture per segment, placed at `starts` (server ms). */
async function record(cred: string, id: string, kind: string, starts: number[]): Promise<void> {
  const webm = new Uint8Array(await readFile(path.join(ROOT, 'test/fixtures/recorder-4s.webm')));
  await call('PUT', `/api/recordings/${id}`, { kind, mimeType: WEBM }, cred);
  const chunks = starts.map((_, segment) => ({ segment, seq: 0, bytes: webm }));
  for (const [segment, startedAt] of starts.entries()) {
    await call('PUT', `/api/recordings/${id}/segments/${segment}`, { startedAt, mimeType: WEBM }, cred);
    assert.equal((await putChunk(e.server.url, cred, id, segment, 0, webm)).status, 201);
  }
  await call('POST', `/api/recordings/${id}/complete`, { segments: starts.map((_, segment) => ({ segment, chunks: 1 })), chainHead: await headOf(id, chunks) }, cred);
}

before(async () => {
  const hash = await hashPassword(PROCTOR_PASSWORD);
  const exam = examFixture({ id: 'rev', startAt: Date.now() + 10 * MIN, rooms: { A: 3, B: 1 }, proctorHash: hash });
  exam.proctors = [...(exam.proctors ?? []), { id: 'r1', name: '审阅员甲', passwordHash: hash, role: 'reviewer' }];
  e = await e2eEnv(exam);
  const login = await call('POST', '/api/session/candidate', { candidateId: 'cA-2', ticketCode: 'TA-2', deviceId: 'device-review-e2e-aaaaaa' });
  const token = login.token as string;
  const cred = login.uploadCredential as string;
  await call('POST', '/api/candidate/lottery/draw', {}, token);
  for (const document of ['procedure', 'pledge', 'notice']) await call('POST', '/api/candidate/accept', { document }, token);
  await call('POST', '/api/candidate/enter', {}, token);
  T0 = Date.now();
  // camera 0–4 s and 8–12 s (a gap between), screen 1–5 s, phone 2–6 s.
  await record(cred, 'rec-e2e-camera', 'camera', [T0, T0 + 8_000]);
  await record(cred, 'rec-e2e-screen', 'screen', [T0 + 1_000]);
  await record(cred, 'rec-e2e-phone1', 'evidence', [T0 + 2_000]);
  const flag = (id: string, at: number, state: string, name: string, kind: string) => ({ id, type: 'face-flag', at, detail: { flag: name, state, kind } });
  await call('POST', '/api/device/events', { events: [
    flag('e2e-flag-others-r', T0 + 1_500, 'raised', 'several-faces', 'suspicious'), flag('e2e-flag-others-c', T0 + 3_000, 'cleared', 'several-faces', 'suspicious'),
    flag('e2e-flag-noface-r', T0 + 9_000, 'raised', 'no-face', 'cant-see'), flag('e2e-flag-noface-c', T0 + 10_000, 'cleared', 'no-face', 'cant-see'),
    { id: 'e2e-tab-hidden-1', type: 'tab-hidden', at: T0 + 2_500 },
  ] }, cred);
  await call('POST', '/api/device/chat', { messages: [{ id: 'e2e-chat-00001', text: '摄像头画面是否清楚？', at: T0 + 3_500 }] }, cred);
  page = await e.browser.newPage({ viewport: { width: 1280, height: 900 } });
});
after(async () => {
  await e?.close();
});

/** The review player's own view of itself (plain JS: the page lacks tsx's helpers). */
function player(p: Page): Promise<{ now: number; drift: number; settled: boolean; streams: { kind: string; at: number | null; state: string }[] }> {
  return p.evaluate(`(() => {
    const find = (root) => { for (const el of root.querySelectorAll('*')) { if (el.localName === 'review-player') return el; if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f; } } return null; };
    const pl = find(document);
    return { now: pl.now(), drift: pl.drift(), settled: pl.settled(), streams: pl.positions(), playing: pl.playing, active: document.activeElement ? document.activeElement.localName : null };
  })()`);
}
async function settled(p: Page): Promise<void> {
  const until = Date.now() + 15_000;
  while (!(await player(p)).settled) {
    if (Date.now() > until) assert.fail(`the streams did not settle: ${JSON.stringify(await player(p))}`);
    await p.waitForTimeout(50);
  }
}
const seekTo = (p: Page, t: number) => p.evaluate(`(() => {
  const find = (root) => { for (const el of root.querySelectorAll('*')) { if (el.localName === 'review-player') return el; if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f; } } return null; };
  find(document).seek(${t});
})()`);

/** Every stream with a picture is within 100 ms of the position. */
async function inSync(p: Page, what: string, expectActive: number): Promise<void> {
  const s = await player(p);
  const active = s.streams.filter((x) => x.at !== null);
  assert.equal(active.length, expectActive, `${what}: ${JSON.stringify(s)}`);
  for (const x of active) assert.ok(Math.abs((x.at ?? 0) - s.now) <= 100, `${what}: ${x.kind} at ${(x.at ?? 0) - T0} vs ${s.now - T0}`);
}

test('the reviewer signs in, sees the flagged candidate first, and opens the case', async () => {
  await page.goto(`${e.server.url}/#/review`);
  await page.getByLabel('考试编号').fill('rev');
  await page.getByLabel('监督员编号').fill('r1');
  await page.getByLabel('密码').fill(PROCTOR_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  const rows = page.locator('tr[data-candidate]');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 4, 'a reviewer sees every room');
  assert.equal(await rows.first().getAttribute('data-candidate'), 'cA-2');
  assert.match(await rows.first().innerText(), /可疑 1，看不清 1/);
  assert.match(await rows.first().innerText(), /摄像头 完整 100%|摄像 完整 100%|完整 100%/);
  await assertAccessible(page, 'review list');
  await shot(page, 'review-list-zh');
  await page.getByLabel('只看有待判定标记的考生').check();
  assert.equal(await rows.count(), 1);
  await page.getByRole('link', { name: /Cand A2/ }).click();
  await page.locator('review-player video').first().waitFor();
  await settled(page);
});

test('the three streams play in sync: after play, after a seek, after a speed change', async () => {
  await seekTo(page, T0 + 1_500);
  await settled(page);
  await inSync(page, 'seek into camera and screen', 2);
  await page.getByRole('button', { name: '播放', exact: true }).click();
  await page.waitForTimeout(1_500);
  await inSync(page, 'playing on into the phone\'s segment', 3);
  await seekTo(page, T0 + 2_100);
  await settled(page);
  await page.waitForTimeout(400);
  await inSync(page, 'seek while playing: camera, screen and phone', 3);
  await page.getByLabel('速度').selectOption('2');
  await page.waitForTimeout(600);
  await inSync(page, 'at 2×', 3);
  const s = await player(page);
  assert.ok(s.now - T0 > 2_100 + 400 + 900, `the position moved at 2×: ${s.now - T0}`);
  await page.getByRole('button', { name: '暂停', exact: true }).click();
});

test('a gap is shown as a gap: nothing plays there, the lane shows the hole', async () => {
  await seekTo(page, T0 + 5_500);
  await settled(page);
  const s = await player(page);
  assert.deepEqual(s.streams.map((x) => [x.kind, x.at === null]), [['camera', true], ['screen', true], ['evidence', false]]);
  assert.equal(await page.locator('[data-gap="camera"]').count(), 1);
  assert.equal(await page.locator('[data-lane="camera"] [data-hole]').count(), 1);
  await shot(page, 'review-case-gap-zh');
});

test('a marker seeks every stream there; J/K and the arrows move by marker and by 5 s', async () => {
  await page.locator('review-case ol.lane-list button[data-marker^="chat:"]').click();
  await settled(page);
  let s = await player(page);
  assert.ok(Math.abs(s.now - (T0 + 3_500)) < 100, `at the chat message: ${s.now - T0}`);
  await inSync(page, 'at the marker', 3);
  await page.keyboard.press('k');
  s = await player(page);
  assert.ok(Math.abs(s.now - (T0 + 2_500)) < 100, `K: the marker before (tab hidden): ${s.now - T0}`);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  s = await player(page);
  assert.ok(Math.abs(s.now - (T0 + 9_000)) < 100, `J J: the no-face flag: ${s.now - T0}`);
  await page.keyboard.press('ArrowLeft');
  s = await player(page);
  assert.ok(Math.abs(s.now - (T0 + 4_000)) < 100, `←: 5 s back: ${s.now - T0} ${JSON.stringify(s)}`);
  await settled(page);
  await page.keyboard.press('Space');
  await page.waitForTimeout(500);
  const played = await player(page);
  assert.ok(played.now > T0 + 4_200, `space plays: ${played.now - T0} ${JSON.stringify(played)}`);
  await page.keyboard.press('Space');
});

test('flags confirmed and dismissed, the candidate an incident with a reason: all still there after a reload', async () => {
  const others = page.locator('tr[data-flag="e2e-flag-others-r"]');
  await others.getByLabel('备注（可选）').fill('身后有第二人');
  await others.getByRole('button', { name: '确认', exact: true }).click();
  await others.locator('[data-verdict="confirmed"]').waitFor();
  await page.locator('tr[data-flag="e2e-flag-noface-r"]').getByRole('button', { name: '排除', exact: true }).click();
  await page.locator('tr[data-flag="e2e-flag-noface-r"] [data-verdict="dismissed"]').waitFor();
  await page.getByRole('button', { name: '判定为违纪事件' }).click();
  assert.match(await page.locator('review-decision [role="alert"]').innerText(), /理由/);
  await page.getByLabel(/^理由/).fill('确认第二人在场');
  // The link drops as it is sent: said so, and the reason typed is still there to send again.
  await page.route('**/api/review/candidates/cA-2/decision', (route) => route.abort('internetdisconnected'));
  await page.getByRole('button', { name: '判定为违纪事件' }).click();
  await page.locator('review-case div.error[role="alert"]').first().waitFor();
  assert.equal(await page.getByLabel(/^理由/).inputValue(), '确认第二人在场');
  assert.equal(await page.locator('[data-state="incident"]').count(), 0);
  await page.unroute('**/api/review/candidates/cA-2/decision');
  await page.getByRole('button', { name: '判定为违纪事件' }).click();
  await page.locator('[data-state="incident"]').waitFor();
  assert.equal(await page.getByLabel(/^理由/).inputValue(), '', 'emptied once stored');
  await assertAccessible(page, 'review case');
  await shot(page, 'review-case-zh');
  await page.reload();
  await page.locator('[data-state="incident"]').waitFor();
  assert.match(await page.locator('tr[data-flag="e2e-flag-others-r"] [data-verdict="confirmed"]').innerText(), /已确认 · r1 · .*身后有第二人/);
  assert.equal(await page.locator('tr[data-flag="e2e-flag-noface-r"] [data-verdict="dismissed"]').count(), 1);
  assert.match(await page.locator('review-decision ol').innerText(), /违纪事件 — 确认第二人在场/);
});

test('the incident report: the confirmed flag with a still from each recording, the decisions, and each recording\'s chain head', async () => {
  await page.getByRole('link', { name: '事件报告' }).click();
  await page.locator('review-report[data-stills-done]').waitFor({ timeout: 30_000 });
  const row = page.locator('review-report tr[data-flag="e2e-flag-others-r"]');
  assert.equal(await page.locator('review-report tr[data-flag]').count(), 1, 'only the confirmed flag');
  const stills = await row.locator('img').evaluateAll((imgs) => imgs.map((i) => [(i as HTMLImageElement).naturalWidth, i.getAttribute('alt')]));
  assert.equal(stills.length, 3, JSON.stringify(stills));
  for (const [width] of stills) assert.ok(Number(width) > 0, 'a decoded frame');
  assert.match(await page.locator('review-report [data-outcome="incident"]').innerText(), /违纪事件 · r1 · .* — 确认第二人在场/);
  const proctor = await call('POST', '/api/session/proctor', { examId: 'rev', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-review-e2e-report' });
  const c = await call('GET', '/api/review/candidates/cA-2/case', undefined, proctor.token as string) as { recordings: { id: string; chainHead: string }[] };
  for (const r of c.recordings) {
    assert.match(r.chainHead, /^[0-9a-f]{64}$/);
    assert.equal(await page.locator(`review-report code[data-chain="${r.id}"]`).innerText(), r.chainHead);
  }
  await page.getByText('npx invigil verify rev cA-2').waitFor();
  await assertAccessible(page, 'incident report');
  await shot(page, 'review-report-zh');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByRole('button', { name: '打印 / 保存为 PDF' }).isVisible(), false, 'the print has no buttons');
  await page.emulateMedia({ media: 'screen' });
  await page.getByRole('link', { name: /返回回看/ }).click();
  await page.locator('review-player video').first().waitFor();
});

test('in English; the access log lists the reviewer\'s views of the case and of each segment', async () => {
  await page.evaluate(() => localStorage.setItem('invigil.locale', 'en'));
  await page.reload();
  await page.locator('[data-state="incident"]').waitFor();
  await settled(page);
  // Opened paused on the camera's first picture: it shows (no "nothing recorded" over it); the
  // screen and the phone, which begin later, show their gap.
  assert.deepEqual(await page.locator('review-player [data-gap]').evaluateAll((els) => els.map((el) => el.getAttribute('data-gap'))), ['screen', 'evidence']);
  await shot(page, 'review-case-en');
  await page.getByRole('link', { name: 'Incident report' }).click();
  await page.locator('review-report[data-stills-done]').waitFor({ timeout: 30_000 });
  await shot(page, 'review-report-en');
  await page.goto(`${e.server.url}/#/review`);
  await page.locator('tr[data-candidate]').first().waitFor();
  await shot(page, 'review-list-en');
  const proctor = await call('POST', '/api/session/proctor', { examId: 'rev', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-review-e2e-proctor' });
  const log = await call('GET', '/api/review/candidates/cA-2/access-log', undefined, proctor.token as string) as { entries: { viewerRole: string; viewerId: string; what: string }[] };
  const mine = log.entries.filter((x) => x.viewerId === 'r1' && x.viewerRole === 'reviewer').map((x) => x.what);
  for (const what of ['case', 'report', 'recording rec-e2e-camera segment 0', 'recording rec-e2e-camera segment 1', 'recording rec-e2e-screen segment 0', 'recording rec-e2e-phone1 segment 0']) {
    assert.ok(mine.includes(what), `${what} in ${JSON.stringify(mine)}`);
  }
});
