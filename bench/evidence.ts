import os from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { localCopies } from '../test/helpers/recording-e2e.js';
import { RECORDING_DRAIN_PER_HOUR } from '../src/core/evidence-phone.js';
import { cpuMsOf, descendants } from './lib/cpu.js';
import { dropLink, startLinkProxy } from './lib/link-proxy.js';
import { benchEnv, emit, sleep } from './lib/setup.js';
// @ts-expect-error plain ESM helper shared with the test runner config
import { CHROMIUM_ARGS, FAKE_MEDIA_ARGS, findChromium } from '../scripts/find-chromium.mjs';

/**
 * The evidence phone (R4): how long from a typed code to a recording phone, what recording costs
 * the phone's CPU, and what it sends per byte it recorded with three forced drops.
 * `npm run bench -- evidence [--explain]` (--explain: each upload request's head and body bytes, on stderr)
 */
const PHONE_MARK = '--invigil-bench-phone';
const WINDOW_MS = 30_000;
const DROP_EVERY_MS = 50_000;
const env = await benchEnv('bench-ev', 2);
const proxy = await startLinkProxy(new URL(env.server.url));
// The phone is its own browser (its own process tree), so its CPU can be told apart.
const phoneBrowser: Browser = await chromium.launch({
  executablePath: (findChromium as () => string)(), headless: true,
  args: [...(CHROMIUM_ARGS as string[]), ...(FAKE_MEDIA_ARGS as string[]), PHONE_MARK],
});

async function post(route: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${env.server.url}${route}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await r.json()) as Record<string, unknown>;
}

/** The laptop's part, by API: log in and ask for a binding code. */
async function codeFor(candidate: string): Promise<string> {
  const login = await post('/api/session/candidate', { candidateId: candidate, ticketCode: `T${candidate.slice(1)}`, deviceId: `bench-laptop-${candidate}-aaaaaa` });
  return (await post('/api/candidate/binding-code', undefined, String(login.token))).code as string;
}

async function toRecording(phone: Page, code: string): Promise<{ bound: number; recording: number }> {
  await phone.goto(`${proxy.url}/#/evidence`);
  await phone.getByLabel('绑定码').fill(code);
  const t0 = performance.now();
  await phone.getByRole('button', { name: '绑定', exact: true }).click();
  await phone.getByRole('button', { name: '使用前置摄像头' }).waitFor();
  const bound = performance.now() - t0;
  await phone.getByRole('button', { name: '使用前置摄像头' }).click();
  await phone.getByRole('button', { name: '开始 360 度环拍' }).click();
  await phone.evaluate(() => {
    for (let h = 5; h < 360; h += 30) window.dispatchEvent(new DeviceOrientationEvent('deviceorientationabsolute', { alpha: (360 - h) % 360, absolute: true }));
  });
  await phone.getByRole('button', { name: '完成环拍' }).click();
  await phone.getByRole('button', { name: '已固定好，继续录像' }).click();
  await phone.getByText('正在录制佐证视频').waitFor();
  return { bound, recording: performance.now() - t0 };
}

try {
  const context = await phoneBrowser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const phone = await context.newPage();
  const code = await codeFor('cA-1');
  const start = proxy.uploads();
  const startedAt = Date.now();
  const t = await toRecording(phone, code);
  const recordingSince = performance.now();
  emit('evidence', 'bind_ms', t.bound, 'ms', { from: 'code typed, 绑定 pressed', to: 'bound: camera choice shown', link: 'loopback' });
  emit('evidence', 'bind_to_recording_ms', t.recording, 'ms', { to: 'recording, with the camera choice, a full 12-direction scan and framing clicked through at once' });

  // CPU of the phone's whole browser while it records and uploads, one core = 100.
  await sleep(5_000);
  const pids = descendants(PHONE_MARK);
  const settings = await phone.evaluate(() => {
    const v = document.querySelector('invigil-app')?.shadowRoot?.querySelector('evidence-app')?.shadowRoot?.querySelector('camera-preview')?.shadowRoot?.querySelector('video');
    const track = (v?.srcObject as MediaStream | null)?.getVideoTracks()[0];
    return track ? track.getSettings() : null;
  });
  const cpu0 = cpuMsOf(pids);
  const w0 = performance.now();
  await sleep(WINDOW_MS);
  const cpuPct = (100 * (cpuMsOf(pids) - cpu0)) / (performance.now() - w0);
  emit('evidence', 'phone_cpu_pct', cpuPct, '% of one core', {
    resolution: settings ? `${settings.width}x${settings.height}@${settings.frameRate}` : 'unknown', window_s: WINDOW_MS / 1000,
    includes: 'the whole headless browser: fake camera, VP8 encoder, recorder worker, uploads, the page', machine_load_1m: os.loadavg()[0], goal: '<= 30',
  });
  emit('evidence', 'battery_drain_estimate', RECORDING_DRAIN_PER_HOUR * 100, '%/hour (assumed)', {
    measured: false,
    why: 'this machine has no battery and no phone; the app assumes a typical phone filming 360p with the screen on (about 15 %/hour) to warn when the level cannot last the exam',
    cpu_share_measured_pct: Math.round(cpuPct),
  });

  // Three drops over three minutes of recording (a fifth of the seed's 15-minute exam), each
  // cutting an upload mid-body; then everything must arrive.
  // A phone's uplink (1 Mbit/s): a chunk's body takes long enough to be cut in the middle.
  proxy.setUploadLimit(1_000_000);
  for (let i = 0; i < 3; i++) {
    await sleep(DROP_EVERY_MS);
    await dropLink(proxy, context, 4_000);
  }
  await sleep(5_000);
  proxy.setUploadLimit(null);
  await context.setOffline(true);
  await phone.getByRole('button', { name: '结束佐证录像' }).click();
  await phone.getByRole('button', { name: '确定结束' }).click();
  await phone.getByRole('heading', { name: '佐证视频上传' }).waitFor();
  const recordedS = (performance.now() - recordingSince) / 1000;
  const local = await localCopies(phone);
  await context.setOffline(false);
  await phone.getByText('全部录像已上传成功').waitFor({ timeout: 120_000 });
  const recorded = local.reduce((n, r) => n + r.bytes, 0);
  const end = proxy.uploads();
  const sent = end.bytes - start.bytes;
  emit('evidence', 'bytes_sent_per_byte_recorded', sent / recorded, 'ratio', {
    drops: 3, cut: 'mid-body', recorded_s: Math.round(recordedS), recorded_bytes: recorded, sent_bytes: sent, requests: end.requests - start.requests,
    header_bytes: end.headerBytes - start.headerBytes, dropped_in_queue_bytes: end.droppedBytes - start.droppedBytes, counted: 'as it crosses the link', goal: '<= 1.03',
  });
  // Where the bytes beyond the recording went (stderr; the JSON lines stay one per figure).
  if (process.argv.includes('--explain')) {
    for (const r of proxy.requestLog().filter((x) => x.at >= startedAt && /\/api\/recordings\//.test(x.line))) {
      console.error(`${new Date(r.at).toISOString().slice(14, 23)} ${r.line.replace(/ HTTP.*$/, '').replace(/\/api\/recordings\/[^/ ]+/, '…')} head ${r.headBytes} body ${r.bodyBytes}/${r.length}`);
    }
  }
  await context.close();
} finally {
  await phoneBrowser.close();
  await proxy.close();
  await env.close();
}
