import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { hashPassword } from '../../server/auth/password.js';
import { spawnServer } from '../helpers/child-server.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { assertServerCopies, endExam, localCopies, loginAndRecord as startRecording, resumeRecording, sleep, type LocalCopy } from '../helpers/recording-e2e.js';
import { waitForStep } from '../helpers/flow-e2e.js';

const loginAndRecord = (context: BrowserContext, candidate: string) => startRecording(context, e.server.url, candidate);
let e: E2eEnv;

before(async () => {
  e = await e2eEnv(examFixture({ id: 'rec', startAt: Date.now() + 12 * MIN, rooms: { A: 8 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) }));
});
after(() => e?.close());

/** Both recordings verified on the server, and the server's bytes are the device's bytes. */
async function assertServerHasExactly(page: Page, before: LocalCopy[], candidate: string): Promise<void> {
  await page.getByText('上传成功').nth(1).waitFor({ timeout: 60_000 });
  assert.equal(before.length, 2);
  await assertServerCopies(before, { dataDir: e.dir, examId: 'rec', candidate }, 5_000);
  // Verified recordings are cleared from the device (every chunk that was verified), the records
  // kept as receipts.
  const after = await localCopies(page);
  assert.deepEqual(after.map((r) => r.state), ['verified', 'verified']);
  // Nothing may stay behind: a chunk left after verification was either never verified or not cleared.
  for (const rec of after) assert.deepEqual(rec.keys, [], `${rec.kind}: chunks left after verification (verified: ${before.find((b) => b.id === rec.id)?.keys.join(' ')})`);
}

test('offline for 60 s mid-recording: the exam goes on, everything uploads after, byte-identical', async () => {
  const context = await e.browser.newContext();
  const page = await loginAndRecord(context, 'cA-1');
  await sleep(3_000);
  await context.setOffline(true);
  await page.getByText('网络已断开').first().waitFor();
  await sleep(60_000);
  await context.setOffline(false);
  await sleep(4_000);
  // End while offline, so the test can read what the device recorded before it is cleared.
  await context.setOffline(true);
  await endExam(page);
  await page.getByText('等待网络').first().waitFor();
  const local = await localCopies(page);
  assert.ok(local.every((r) => r.segments === 1));
  // Reopened later (still offline): the app opens on the upload screen, waiting for the network.
  await page.goto(`${e.server.url}/#/`);
  await waitForStep(page, 'upload');
  await page.getByText('等待网络').first().waitFor();
  await context.setOffline(false);
  await assertServerHasExactly(page, local, 'cA-1');
  await context.close();
});

test('the page is closed mid-recording and reopened: a new segment of the same recording set', async () => {
  const context = await e.browser.newContext();
  let page = await loginAndRecord(context, 'cA-2');
  await sleep(3_000);
  await page.close();
  page = await context.newPage();
  await page.goto(`${e.server.url}/#/`);
  await waitForStep(page, 'exam');
  await resumeRecording(page);
  await sleep(3_000);
  await context.setOffline(true);
  await endExam(page);
  const local = await localCopies(page);
  assert.deepEqual(local.map((r) => r.segments), [2, 2], 'two segments per recording');
  await context.setOffline(false);
  await assertServerHasExactly(page, local, 'cA-2');
  await context.close();
});

test('the server process is killed mid-upload and restarted: the upload resumes and verifies', async () => {
  const context = await e.browser.newContext();
  const page = await loginAndRecord(context, 'cA-3');
  await sleep(3_000);
  const port = new URL(e.server.url).port;
  await e.server.kill('SIGKILL');
  await sleep(3_000);
  await endExam(page);
  await page.getByText('等待网络').first().waitFor();
  const local = await localCopies(page);
  e.server = await spawnServer(e.dir, 'dist/node/server/main.js', [], { PORT: port });
  await assertServerHasExactly(page, local, 'cA-3');
  await context.close();
});


test('review: the proctor plays each segment in Chromium, with a duration, and seeks in it', async () => {
  // Its own recording of two segments (a reload in between), uploaded and verified.
  const recorded = await e.browser.newContext();
  let rpage = await loginAndRecord(recorded, 'cA-4');
  await sleep(3_000);
  await rpage.close();
  rpage = await recorded.newPage();
  await rpage.goto(`${e.server.url}/#/`);
  await waitForStep(rpage, 'exam');
  await resumeRecording(rpage);
  await sleep(3_000);
  await endExam(rpage);
  await rpage.getByText('上传成功').nth(1).waitFor({ timeout: 60_000 });
  await recorded.close();
  const login = await fetch(`${e.server.url}/api/session/proctor`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ examId: 'rec', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-e2e-review-aaaa' }),
  });
  const { token } = (await login.json()) as { token: string };
  const list = (await (await fetch(`${e.server.url}/api/review/candidates/cA-4/recordings`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    recordings: { id: string; kind: string; segments: { segment: number; startedAt: number }[] }[];
  };
  const camera = list.recordings.find((r) => r.kind === 'camera')!;
  assert.deepEqual(camera.segments.map((x) => x.segment), [0, 1], 'the reloaded recording has two segments');
  assert.ok(camera.segments[0]!.startedAt < camera.segments[1]!.startedAt, 'in server-time order');

  const context = await e.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${e.server.url}/robots.txt`);
  for (const seg of camera.segments) {
    const url = `${e.server.url}/api/review/candidates/cA-4/recordings/${camera.id}/segments/${seg.segment}`;
    const result = await page.evaluate<{ duration: number; seekableEnd: number; at: number; target: number }>(`(async () => {
      const res = await fetch(${JSON.stringify(url)}, { headers: { authorization: 'Bearer ${token}' } });
      const video = document.createElement('video');
      video.muted = true;
      video.src = URL.createObjectURL(await res.blob());
      document.body.append(video);
      await new Promise((ok, fail) => { video.onloadedmetadata = ok; video.onerror = () => fail(new Error('media error ' + video.error?.code + ' ' + video.error?.message)); });
      const duration = video.duration;
      const target = duration / 2;
      video.currentTime = target;
      await new Promise((ok) => { video.onseeked = ok; });
      return { duration, seekableEnd: video.seekable.length ? video.seekable.end(0) : 0, at: video.currentTime, target };
    })()`);
    assert.ok(Number.isFinite(result.duration) && result.duration > 1, `segment ${seg.segment} duration ${result.duration}`);
    assert.ok(Math.abs(result.seekableEnd - result.duration) < 0.5, `seekable to the end: ${JSON.stringify(result)}`);
    assert.ok(Math.abs(result.at - result.target) < 1, `seeked: ${JSON.stringify(result)}`);
  }
  // Streamed: the video element asks the server itself, in ranges, and seeks without the whole file
  // (the route only adds the proctor's credential, which a media element cannot send).
  const ranges: string[] = [];
  await page.route('**/api/review/**', (route) => {
    ranges.push(route.request().headers().range ?? '(none)');
    return route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${token}` } });
  });
  const streamed = await page.evaluate<{ duration: number; at: number; target: number }>(`(async () => {
    const video = document.createElement('video');
    video.muted = true;
    video.preload = 'metadata';
    video.src = ${JSON.stringify(`${e.server.url}/api/review/candidates/cA-4/recordings/${camera.id}/segments/0`)};
    document.body.append(video);
    await new Promise((ok, fail) => { video.onloadedmetadata = ok; video.onerror = () => fail(new Error('media error ' + video.error?.code + ' ' + video.error?.message)); });
    const target = video.duration * 0.8;
    video.currentTime = target;
    await new Promise((ok) => { video.onseeked = ok; });
    return { duration: video.duration, at: video.currentTime, target };
  })()`);
  assert.ok(Number.isFinite(streamed.duration) && streamed.duration > 1, JSON.stringify(streamed));
  assert.ok(Math.abs(streamed.at - streamed.target) < 1, `seeked while streaming: ${JSON.stringify(streamed)}`);
  assert.ok(ranges.some((r) => /^bytes=\d+-/.test(r)), `the element asked for ranges: ${ranges.join(' ')}`);
  await context.close();
});
