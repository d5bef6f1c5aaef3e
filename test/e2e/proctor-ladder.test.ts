// The bandwidth ladder over a real TURN relay: ICE forced through coturn (`iceTransportPolicy:
// 'relay'`, TURN over TCP), with a link proxy in front of coturn standing in for the candidate's
// uplink. Chromium's network emulation (CDP) does not reach WebRTC's sockets, so the proxy is
// what throttles: the tile steps down to thumbnails, then to events only, and back to moving
// video when the link is released. The proctor reaches the same coturn by a path of its own (a
// proctor sits on another network): through the candidate's proxy, the proctor's receiver reports
// and acknowledgements shared the candidate's 20 kbit/s — ≈ 15 kbit/s of it even after the
// candidate closed its link — and the thumbnails' acknowledgements came too late to hold the rung.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/password.js';
import { startLinkProxy, type LinkProxy } from '../../bench/lib/link-proxy.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { walkToExam } from '../helpers/flow-e2e.js';
import { openTile, proctorLogin, tile, videoMoving } from '../helpers/proctor-e2e.js';
import { startCoturn, type Turn } from '../helpers/coturn.js';

const SEC = 1000;
let e: E2eEnv;
let turn: Turn;
let proxy: LinkProxy;
/** The proctor's own, unthrottled path to the same coturn. */
let proctorPath: LinkProxy;

before(async () => {
  turn = await startCoturn();
  proxy = await startLinkProxy(new URL(`http://127.0.0.1:${turn.port}`));
  proctorPath = await startLinkProxy(new URL(`http://127.0.0.1:${turn.port}`));
  const exam = examFixture({ id: 'relay', startAt: Date.now() + 12 * MIN, rooms: { A: 1 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) });
  Object.assign(exam, {
    iceServers: [{ urls: `turn:127.0.0.1:${new URL(proxy.url).port}?transport=tcp`, username: turn.username, credential: turn.credential }],
    iceTransportPolicy: 'relay',
  });
  e = await e2eEnv(exam);
});
after(async () => {
  await e?.close();
  await proxy?.close();
  await proctorPath?.close();
  await turn?.stop();
});

/** Waits until the tile shows `rung`; returns how long it took. */
async function rungWithin(page: Page, id: string, rung: string, ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if ((await tile(page, id).getAttribute('data-rung')) === rung) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`tile ${id} did not reach rung ${rung} within ${ms} ms (is ${await tile(page, id).getAttribute('data-rung')})`);
}

test('through coturn only: live video, down to thumbnails and events on a thin link, back up when released', { timeout: 4 * MIN }, async () => {
  // The room's ICE servers name the candidate's proxy; the proctor's page is given its own path
  // (its service worker kept out, so every request of the page passes this route).
  const proctorCtx = await e.browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  const candidatePort = `:${new URL(proxy.url).port}?`;
  await proctorCtx.route('**/api/proctor/room', async (route) => {
    const response = await route.fetch();
    const room = await response.json() as { iceServers: { urls: string }[] };
    for (const s of room.iceServers) s.urls = s.urls.replace(candidatePort, `:${new URL(proctorPath.url).port}?`);
    await route.fulfill({ response, json: room });
  });
  const proctor = await proctorCtx.newPage();
  await proctorLogin(proctor, e.server.url, 'relay', 'p1', PROCTOR_PASSWORD);
  const candCtx = await e.browser.newContext();
  // Every peer connection the candidate's page makes, to see which are open.
  await candCtx.addInitScript(`(() => {
    const Original = window.RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = class extends Original {
      constructor(...args) { super(...args); window.__pcs.push(this); }
    };
  })()`);
  const cand = await candCtx.newPage();
  const links = () => cand.evaluate<string[]>('window.__pcs.map((pc) => pc.connectionState)');
  await walkToExam(cand, e.server.url, 'cA-1', 'TA-1');

  const first = await videoMoving(proctor, 'cA-1', 'video', 15 * SEC);
  assert.ok(first.frames >= 5 && first.differ, `moving video through TURN: ${JSON.stringify(first)}`);
  // Relay-only: every media byte went through coturn (and so through the proxy in front of it).
  // The first frames may show before 20 KB have passed: give the count a few seconds to grow.
  for (const until = Date.now() + 10 * SEC; proxy.upstream().bytes <= 20_000 && Date.now() < until;) await new Promise((r) => setTimeout(r, 250));
  const relayed = proxy.upstream().bytes;
  assert.ok(relayed > 20_000, `media went through the TURN relay (${relayed} bytes)`);
  assert.ok(proctorPath.upstream().bytes > 0, 'the proctor reached coturn by its own path');
  assert.match(turn.output(), /user <invigil>: incoming packet ALLOCATE processed, success/, 'coturn allocated a relay for our credentials');

  // 20 kbit/s: below what even 5 fps video needs with its overhead; thumbnails fit.
  proxy.setUploadLimit(20_000);
  await rungWithin(proctor, 'cA-1', 'thumbnail', 45 * SEC);
  await tile(proctor, 'cA-1').locator('img').waitFor({ timeout: 20 * SEC });
  assert.equal(await tile(proctor, 'cA-1').locator('video').count(), 0, 'no stale video on the thumbnail rung');
  // The opened candidate shows the same: the thumbnail, not a frozen video.
  await openTile(proctor, 'cA-1');
  // As the tile's: a thumbnail every 4 s through a 20 kbit/s link, on a loaded machine.
  await proctor.locator('section[data-detail="cA-1"] img[data-large]').waitFor({ timeout: 20 * SEC });
  assert.equal(await proctor.locator('section[data-detail="cA-1"] video[data-large]').count(), 0);
  await proctor.getByRole('button', { name: '关闭' }).click();

  proxy.setUploadLimit(2_000);
  await rungWithin(proctor, 'cA-1', 'events', 45 * SEC);
  await tile(proctor, 'cA-1').getByText('仅状态（网络较差，暂无画面）').first().waitFor({ timeout: 5 * SEC });
  // Events only costs no peer link at all (its checks and reports alone were twice the rung's
  // budget): the candidate's side closed it; the socket's pings judge the link meanwhile.
  for (const until = Date.now() + 5 * SEC; (await links()).some((s) => s !== 'closed') && Date.now() < until;) await new Promise((r) => setTimeout(r, 250));
  const onEvents = await links();
  assert.ok(onEvents.length >= 1 && onEvents.every((s) => s === 'closed'), `no open peer link on the events rung: ${onEvents.join(' ')}`);

  proxy.setUploadLimit(null);
  await rungWithin(proctor, 'cA-1', 'video', 60 * SEC);
  const back = await videoMoving(proctor, 'cA-1', 'video', 15 * SEC);
  assert.ok(back.frames >= 5 && back.differ, `moving video again after release: ${JSON.stringify(back)}`);
  // On a new peer link, opened as the ladder climbed out of events only.
  const climbed = await links();
  assert.ok(climbed.length > onEvents.length && climbed.at(-1) === 'connected', `a new link carries the video: ${climbed.join(' ')}`);
  // The candidate's own indicator stayed honest the whole time.
  await cand.locator('[data-live]').first().waitFor({ timeout: 5 * SEC });
});
