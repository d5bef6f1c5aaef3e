import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../server/auth/password.js';
import { chainHead, toHex } from '../src/core/hash-chain.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../test/helpers/exam-fixture.js';
import { ROOT, spawnServer } from '../test/helpers/child-server.js';
import { writeJson } from '../test/helpers/test-server.js';
import { putChunk, sha256 } from '../test/helpers/upload-client.js';
import { longWebmChunks } from './lib/long-webm.js';
import { emit, percentile, sleep } from './lib/setup.js';
import { explainSeeks, type SeekRecord } from './lib/media-explain.js';
// @ts-expect-error plain ESM helper shared with the test runner config
import { CHROMIUM_ARGS, NO_THROTTLE_ARGS, findChromium } from '../scripts/find-chromium.mjs';

/**
 * Review (issue 15), on loopback with the built server as its own process and headless Chromium:
 * a candidate with 60-minute camera, screen and phone recordings (real VP8/Opus, repeated) and
 * 30 flags; a reviewer opens the review page.
 * - first_frame_ms: from clicking the candidate in the list to the camera's first frame (the first
 *   open, then later ones);
 * - seek_ms_p95: to a random marker, until every stream there shows its frame;
 * - sync_drift_ms_max: the largest distance between the three streams over 5 minutes of playback;
 * - server_rss_growth_mb: while 4 reviewers stream the hour at 4× at once.
 * `npm run bench -- review [--minutes 60] [--drift-seconds 300] [--stream-seconds 60] [--explain]`
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('--minutes', 60);
const DRIFT_S = arg('--drift-seconds', 300);
const STREAM_S = arg('--stream-seconds', 60);
const READERS = 4;
/** `--explain`: each seek's media events, requests and main-thread time, on stderr (bench/lib/media-explain.ts). */
const EXPLAIN = process.argv.includes('--explain');
const WEBM = 'video/webm;codecs=vp8,opus';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-bench-review-'));
const hash = await hashPassword(PROCTOR_PASSWORD);
const exam = examFixture({ id: 'review', startAt: Date.now() + 10 * MIN, rooms: { A: 2 }, proctorHash: hash });
exam.proctors = [...(exam.proctors ?? []), { id: 'r1', name: 'Reviewer', passwordHash: hash, role: 'reviewer' }];
await promisify(execFile)(process.execPath, ['bin/invigil.mjs', 'import', await writeJson(dataDir, 'exam.json', exam)], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } });
const server = await spawnServer(dataDir, 'dist/node/server/main.js');
const pid = server.child.pid ?? 0;

async function call(method: string, route: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${server.url}${route}`, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${route}: ${r.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

async function rssMb(): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

// The candidate's hour: three recordings from one start, flags and a chat message along it.
const login = await call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-bench-review-aaaa' });
const cred = login.uploadCredential as string;
const T0 = Date.now() - (MINUTES + 5) * MIN;
const t0 = performance.now();
let uploaded = 0;
for (const [kind, offset] of [['camera', 0], ['screen', 400], ['evidence', 900]] as const) {
  const id = `rec-bench-${kind}`;
  await call('PUT', `/api/recordings/${id}`, { kind, mimeType: WEBM }, cred);
  await call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: T0 + offset, mimeType: WEBM }, cred);
  const digests: { segment: number; seq: number; digest: Uint8Array }[] = [];
  let seq = 0;
  for await (const chunk of longWebmChunks(MINUTES)) {
    const res = await putChunk(server.url, cred, id, 0, seq, chunk);
    if (res.status !== 201) throw new Error(`chunk ${seq}: ${res.status} ${await res.text()}`);
    digests.push({ segment: 0, seq, digest: new Uint8Array(createHash('sha256').update(chunk).digest()) });
    uploaded += chunk.length;
    seq++;
  }
  await call('POST', `/api/recordings/${id}/complete`, { segments: [{ segment: 0, chunks: seq }], chainHead: toHex(await chainHead(sha256, id, digests)) }, cred);
}
emit('review', 'seeded_mb', uploaded / 1e6, 'MB', { minutes: MINUTES, recordings: 3, seconds: Math.round((performance.now() - t0) / 1000) });
let seed = 7;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const events = [];
for (let i = 0; i < 30; i++) {
  const at = T0 + 5_000 + Math.floor(random() * (MINUTES * MIN - 20_000));
  const kind = i % 3 === 0 ? 'suspicious' : 'cant-see';
  const flag = kind === 'suspicious' ? 'several-faces' : 'no-face';
  events.push({ id: `bench-flag-${i}-raised`, type: 'face-flag', at, detail: { flag, kind, state: 'raised' } });
  events.push({ id: `bench-flag-${i}-clear`, type: 'face-flag', at: at + 3_000 + Math.floor(random() * 10_000), detail: { flag, kind, state: 'cleared' } });
}
await call('POST', '/api/device/events', { events }, cred);

const browser: Browser = await chromium.launch({
  executablePath: (findChromium as () => string)(), headless: true,
  args: [...(CHROMIUM_ARGS as string[]), ...(NO_THROTTLE_ARGS as string[]), '--autoplay-policy=no-user-gesture-required'],
});

async function reviewer(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${server.url}/#/review`);
  await page.getByLabel('考试编号').fill('review');
  await page.getByLabel('监督员编号').fill('r1');
  await page.getByLabel('密码').fill(PROCTOR_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.locator('tr[data-candidate]').first().waitFor();
  return page;
}

/** In the page: the review player (plain JS: the page lacks tsx's helpers). */
const FIND = `const find = (root) => { for (const el of root.querySelectorAll('*')) { if (el.localName === 'review-player') return el; if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f; } } return null; };`;

/** From the click on the candidate to the camera's first frame, ms. */
async function openCase(page: Page): Promise<number> {
  await page.goto(`${server.url}/#/review`);
  await page.locator('tr[data-candidate="cA-1"] a').waitFor();
  const started = Date.now();
  await page.locator('tr[data-candidate="cA-1"] a').click();
  await page.evaluate(`(async () => { ${FIND}
    const until = performance.now() + 30000;
    for (;;) {
      const p = find(document);
      const v = p && p.shadowRoot && p.shadowRoot.querySelector('video[data-kind="camera"]');
      if (v && v.readyState >= 2 && v.videoWidth > 0) return;
      if (performance.now() > until) throw new Error('no first frame in 30 s');
      await new Promise((r) => requestAnimationFrame(r));
    }
  })()`);
  return Date.now() - started;
}

const page = await reviewer();
const cold = await openCase(page);
const warm: number[] = [];
for (let i = 0; i < 5; i++) warm.push(await openCase(page));
emit('review', 'first_frame_ms', cold, 'ms', { goal: 1000, case: 'first open (the server indexed the recordings in the background when they were verified)', warm_p50: percentile(warm, 50), warm_max: Math.max(...warm) });

// Seeks to random markers, each until every stream there shows its frame.
const explain = EXPLAIN ? await explainSeeks(page, FIND) : null;
const seekLog = await page.evaluate<SeekRecord[]>(`(async () => { ${FIND}
  const p = find(document);
  const list = [...p.markers].filter((m) => m.type === 'flag');
  const out = [];
  let s = 11;
  for (let i = 0; i < 25; i++) {
    s = (s * 16807) % 2147483647;
    const m = list[s % list.length];
    const at = Date.now();
    const t0 = performance.now();
    const ready = {};
    p.seek(m.at);
    await new Promise((resolve) => {
      const check = () => {
        const videos = [...p.shadowRoot.querySelectorAll('video')].filter((v) => v.getAttribute('src'));
        for (const v of videos) if (!(v.dataset.kind in ready) && v.readyState >= 2 && !v.seeking) ready[v.dataset.kind] = Math.round(performance.now() - t0);
        if (p.settled() && videos.every((v) => v.readyState >= 2 && !v.seeking)) resolve(null); else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    out.push({ at, ms: performance.now() - t0, ready });
  }
  return out;
})()`);
const seeks = seekLog.map((x) => x.ms);
if (explain) await explain(seekLog);
emit('review', 'seek_ms_p95', percentile(seeks, 95), 'ms', { goal: 300, p50: percentile(seeks, 50), max: Math.max(...seeks), seeks: seeks.length });

// Playback of all three streams together, drift sampled every 100 ms.
const drift = await page.evaluate<{ max: number; p99: number; samples: number }>(`(async () => { ${FIND}
  const p = find(document);
  p.seek(${T0 + 60_000});
  while (!p.settled()) await new Promise((r) => setTimeout(r, 20));
  p.play();
  await new Promise((r) => setTimeout(r, 1000));
  const samples = [];
  const until = performance.now() + ${DRIFT_S * 1000};
  while (performance.now() < until) {
    if (p.positions().filter((x) => x.at !== null).length === 3) samples.push(p.drift());
    await new Promise((r) => setTimeout(r, 100));
  }
  p.pause();
  samples.sort((a, b) => a - b);
  return { max: samples[samples.length - 1] ?? 0, p99: samples[Math.floor(samples.length * 0.99)] ?? 0, samples: samples.length };
})()`);
emit('review', 'sync_drift_ms_max', drift.max, 'ms', { goal: 100, p99: drift.p99, samples: drift.samples, seconds: DRIFT_S, note: 'sampled after the first second of playback' });

// Four reviewers stream the hour at 4× at once: the server's memory.
await sleep(2_000);
const before = await rssMb();
const pages = [page, ...(await Promise.all(Array.from({ length: READERS - 1 }, () => reviewer())))];
await Promise.all(pages.map(async (p, i) => {
  if (p !== page) await openCase(p);
  await p.evaluate(`(() => { ${FIND} const pl = find(document); pl.seek(${T0 + 30_000 + i * 600_000}); pl.setRate(4); pl.play(); })()`);
}));
let peak = before;
const until = Date.now() + STREAM_S * 1000;
while (Date.now() < until) {
  peak = Math.max(peak, await rssMb());
  await sleep(500);
}
const positions = await Promise.all(pages.map((p) => p.evaluate<number>(`(() => { ${FIND} return find(document).now(); })()`)));
emit('review', 'server_rss_growth_mb', peak - before, 'MB', { goal: 50, before_mb: before, peak_mb: peak, readers: READERS, seconds: STREAM_S, minutes_played: positions.map((x, i) => Math.round((x - (T0 + 30_000 + i * 600_000)) / 600) / 100) });

await browser.close();
await server.kill();
await rm(dataDir, { recursive: true, force: true });
