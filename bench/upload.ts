import { endExam, localCopies, loginAndRecord } from '../test/helpers/recording-e2e.js';
import type { Browser, BrowserContext } from 'playwright-core';
import { dropLink, startLinkProxy, type LinkProxy } from './lib/link-proxy.js';
import { startTus, streamSha256 } from './lib/tus-side.js';
import { benchEnv, emit, sleep } from './lib/setup.js';

/**
 * Uploads through a counting, throttling TCP proxy on loopback:
 * - requests per second while recording live (uploads, and everything the page sends);
 * - bytes sent for recording uploads per byte recorded, counted from the first recorded byte,
 *   with five drops that each sever the link while a chunk's body is on its way;
 * - the rate at which a backlog drains after reconnecting, against the link's rate, with no
 *   added round trip and with 100 ms;
 * - the same for tus 1.0 (`@tus/server` + `tus-js-client` in Chromium, bench/lib/tus-side.ts) on
 *   the same kind of link, fed chunks of the sizes ours recorded: `tus_…` figures.
 * `npm run bench -- upload [--only ours|tus] [--minutes N] [--drain-only] [--backlog-s S] [--rtt MS] [--explain]`
 * (`--drain-only`: our backlog drains alone; `--backlog-s`: seconds recorded offline before a
 * drain, default 40 — the comparison recorded 10 minutes, `--backlog-s 600`; `--rtt`: only
 * that round trip, 0 or 100; `--explain`: every drain's requests on stderr).
 */
const LIVE_LINK_BPS = 2_000_000;
const LINK_BPS = 500_000;
const LIVE_SECONDS = 60;
/** `--minutes N`: how long the recording with five drops lasts (default 10). */
const CUT_MINUTES = Number(process.argv[process.argv.indexOf('--minutes') + 1]) || 10;
/** `--only ours` or `--only tus`: one side (tus alone sends chunks of 75,000 and 25,000 bytes). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const drainOnly = process.argv.includes('--drain-only');
const explain = process.argv.includes('--explain');
const arg = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const BACKLOG_S = Number(arg('--backlog-s')) || 40;
const RTTS = arg('--rtt') === undefined ? [0, 100] : [Number(arg('--rtt'))];
/** Mean chunk sizes ours recorded live (camera, screen): the tus side sends the same. */
const sizes: number[] = [];
// Open for what runs before the last candidate enters: the live minute, the five drops, the
// backlogs (each recorded, then drained at about the rate it was recorded).
const env = await benchEnv('bench-up', 4, Math.max(14, Math.ceil(LIVE_SECONDS / 60 + CUT_MINUTES) + 8 + RTTS.length * Math.ceil((BACKLOG_S * 2) / 60)));
const proxy = await startLinkProxy(new URL(env.server.url));
try {
  if (only !== 'tus') await ours();
  if (sizes.length === 0) sizes.push(75_000, 25_000);
  if (only !== 'ours') await tusSide(env.browser);
} finally {
  await proxy.close();
  await env.close();
}

/**
 * Five drops over `CUT_MINUTES` (the comparison: 10 minutes of camera + screen), evenly
 * apart: each cuts the link while an upload body is on its way, and the device is offline 4 s.
 */
async function fiveCuts(link: LinkProxy, context: BrowserContext): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await sleep(CUT_MINUTES * 12_000 - 4_000);
    await dropLink(link, context, 4_000);
  }
}

async function ours(): Promise<void> {
  // 0. Live, nothing in the way: how many requests a candidate's laptop makes per second.
  if (!drainOnly) {
    proxy.setUploadLimit(LIVE_LINK_BPS);
    const context = await env.browser.newContext();
    const page = await loginAndRecord(context, proxy.url, 'cA-4');
    await sleep(10_000);
    const [up0, all0, paths0] = [proxy.uploads(), proxy.upstream(), proxy.paths()];
    await sleep(LIVE_SECONDS * 1000);
    const [up1, all1, paths1] = [proxy.uploads(), proxy.upstream(), proxy.paths()];
    const byPath: Record<string, number> = {};
    for (const [k, n] of paths1) if (n > (paths0.get(k) ?? 0)) byPath[k] = n - (paths0.get(k) ?? 0);
    emit('upload', 'live_upload_requests_per_s', (up1.requests - up0.requests) / LIVE_SECONDS, 'req/s', { seconds: LIVE_SECONDS, recordings: 'camera + screen' });
    emit('upload', 'live_requests_per_s', (all1.requests - all0.requests) / LIVE_SECONDS, 'req/s', { seconds: LIVE_SECONDS, counts: 'every HTTP request the page and its workers sent (WebSockets not included)', by_path: byPath });
    await endExam(page);
    await page.getByText('上传成功').nth(1).waitFor({ timeout: 120_000 });
    proxy.setUploadLimit(null);
    await context.close();
  }
  // 1. Five drops while recording and uploading live, each cutting a chunk mid-body.
  if (!drainOnly) {
    const start = proxy.uploads();
    proxy.setUploadLimit(LIVE_LINK_BPS);
    const context = await env.browser.newContext();
    const page = await loginAndRecord(context, proxy.url, 'cA-1');
    await fiveCuts(proxy, context);
    await sleep(5_000);
    await context.setOffline(true);
    await endExam(page);
    const local = await localCopies(page);
    for (const kind of ['camera', 'screen']) {
      const r = local.find((l) => l.kind === kind);
      if (r) sizes.push(Math.round(r.bytes / r.chunks));
    }
    await context.setOffline(false);
    await page.getByText('上传成功').nth(1).waitFor({ timeout: 120_000 });
    const recorded = local.reduce((n, r) => n + r.bytes, 0);
    const end = proxy.uploads();
    const sent = end.bytes - start.bytes;
    const headers = end.headerBytes - start.headerBytes;
    const extra = { drops: 5, cut: 'mid-body', minutes: CUT_MINUTES, counted: 'as it crosses the link', recorded_bytes: recorded, sent_bytes: sent, requests: end.requests - start.requests, header_bytes: headers, dropped_in_queue_bytes: end.droppedBytes - start.droppedBytes };
    emit('upload', 'bytes_sent_per_byte_recorded', sent / recorded, 'ratio', extra);
    emit('upload', 'body_bytes_sent_per_byte_recorded', (sent - headers) / recorded, 'ratio', { drops: 5, body_bytes_beyond_payload: sent - headers - recorded, of_which: 'frame headers (48 B a chunk) and what the cuts made us send again' });
    proxy.setUploadLimit(null);
    await context.close();
  }
  // 2. A backlog recorded offline drains on a 500 kbit/s link, with no added round trip and with 100 ms.
  for (const [candidate, rttMs] of ([['cA-2', 0], ['cA-3', 100]] as const).filter(([, rtt]) => RTTS.includes(rtt))) {
    const context = await env.browser.newContext();
    const start = proxy.uploads();
    const page = await loginAndRecord(context, proxy.url, candidate);
    await context.setOffline(true);
    await sleep(BACKLOG_S * 1000);
    await endExam(page);
    const local = await localCopies(page);
    // What is left to send: recorded, less what went up before the link fell (the first chunk, in part).
    const early = proxy.uploads();
    const backlog = local.reduce((n, r) => n + r.bytes, 0) - ((early.bytes - early.headerBytes) - (start.bytes - start.headerBytes));
    proxy.setUploadLimit(LINK_BPS);
    proxy.setRoundTrip(rttMs);
    const before = proxy.uploads();
    const beforeAll = proxy.upstream();
    const t0 = Date.now();
    await context.setOffline(false);
    // Looked for every 25 ms: Playwright's own wait polls every 500 ms after its first tries, which
    // would add up to half a second to a drain of 18.
    const shown = page.getByText('上传成功').nth(1);
    while (!(await shown.isVisible())) {
      if (Date.now() - t0 > 300_000 + BACKLOG_S * 2000) throw new Error('the backlog did not drain');
      await sleep(25);
    }
    const seconds = (Date.now() - t0) / 1000;
    const requests = proxy.uploads().requests - before.requests;
    const crossed = proxy.upstream().bytes - beforeAll.bytes;
    // A slow drain says where its time went (stderr: the JSON lines stay one per figure).
    if (explain || (backlog * 8) / seconds / LINK_BPS < 0.9) {
      for (const r of proxy.requestLog().filter((x) => x.at >= t0)) {
        console.error(`drain +${r.at - t0} ms ${r.line} head ${r.headBytes} body ${r.bodyBytes} replied +${(r.repliedAt ?? NaN) - t0}`);
      }
      for (const i of proxy.idleLog().filter((x) => x.at >= t0)) console.error(`drain idle +${i.at - t0} ms for ${i.ms} ms`);
    }
    proxy.setUploadLimit(null);
    proxy.setRoundTrip(0);
    // As the tus side is measured: from the first upload request to the last chunk's acknowledgement
    // (no reconnecting, no verification, no screen), the same link.
    const upload = proxy.requestLog().filter((r) => r.at >= t0 && / \/api\/recordings\//.test(r.line));
    const bearing = upload.filter((r) => /^(POST|PUT) \S+\/chunks/.test(r.line));
    const uploadS = (Math.max(...bearing.map((r) => r.repliedAt ?? Infinity)) - Math.min(...upload.map((r) => r.at))) / 1000;
    emit('upload', 'drain_upload_rate_vs_link', (backlog * 8) / uploadS / LINK_BPS, 'ratio', {
      measured: 'first upload request to the last chunk acknowledged, as tus_drain_rate_vs_link', link_kbit_s: LINK_BPS / 1000, rtt_ms: rttMs, recorded_offline_s: BACKLOG_S, seconds: uploadS,
    });
    emit('upload', 'drain_rate_vs_link', (backlog * 8) / seconds / LINK_BPS, 'ratio', {
      measured: 'link back to the candidate seeing 上传成功 (every recording verified)', link_kbit_s: LINK_BPS / 1000, rtt_ms: rttMs, recorded_offline_s: BACKLOG_S, backlog_bytes: backlog, seconds, requests,
      link_busy: Math.round((crossed * 8 * 1000) / seconds / LINK_BPS) / 1000, crossed_bytes: crossed });
    await context.close();
  }
}

/** tus on the same links: live with five mid-body cuts (one PATCH per chunk), then backlogs. */
async function tusSide(browser: Browser): Promise<void> {
  const tus = await startTus();
  const link = await startLinkProxy(new URL(tus.url), /^\S+ \/files/);
  // Each run sends its own streams (seeded apart), so each run's files are checked on their own.
  const streamsOf = (run: number) => sizes.map((size, i) => ({ stream: run * 10 + i + 1, size }));
  const identical = async (streams: { stream: number; size: number }[], count: number) => {
    const held = new Set((await tus.files()).map((f) => f.sha256));
    return streams.every((s) => held.has(streamSha256(s.stream, count, s.size)));
  };
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${link.url}/`);
    {
      const count = (CUT_MINUTES * 60) / 2;
      const streams = streamsOf(0);
      link.setUploadLimit(LIVE_LINK_BPS);
      const start = link.uploads();
      const done = page.evaluate(([s, n]) => (window as unknown as TusPage).tusLive(s, 2000, n), [streams, count] as const);
      await fiveCuts(link, context);
      await done;
      const end = link.uploads();
      const payload = count * streams.reduce((n, s) => n + s.size, 0);
      const same = await identical(streams, count);
      emit('upload', 'tus_bytes_sent_per_byte_recorded', (end.bytes - start.bytes) / payload, 'ratio', {
        mode: 'PATCH per chunk (Upload-Defer-Length)', drops: 5, cut: 'mid-body', payload_bytes: payload, requests: end.requests - start.requests,
        header_bytes: end.headerBytes - start.headerBytes, chunk_bytes: sizes, byte_identical: same,
      });
      link.setUploadLimit(null);
    }
    for (const [run, perChunk, rttMs] of ([[1, false, 0], [2, false, 100], [3, true, 0], [4, true, 100]] as const).filter(([, , rtt]) => RTTS.includes(rtt))) {
      const count = Math.round(BACKLOG_S / 2); // chunks of 2 s, as ours records offline
      const streams = streamsOf(run);
      const backlog = count * streams.reduce((n, s) => n + s.size, 0);
      link.setUploadLimit(LINK_BPS);
      link.setRoundTrip(rttMs);
      const before = link.uploads();
      const t0 = Date.now();
      await page.evaluate(([s, n, p]) => (window as unknown as TusPage).tusBacklog(s, n, p), [streams, count, perChunk] as const);
      const seconds = (Date.now() - t0) / 1000;
      const same = await identical(streams, count);
      link.setUploadLimit(null);
      link.setRoundTrip(0);
      emit('upload', 'tus_drain_rate_vs_link', (backlog * 8) / seconds / LINK_BPS, 'ratio', {
        mode: perChunk ? 'PATCH per chunk' : 'one PATCH per upload', link_kbit_s: LINK_BPS / 1000, rtt_ms: rttMs, recorded_offline_s: BACKLOG_S, backlog_bytes: backlog, seconds,
        requests: link.uploads().requests - before.requests, byte_identical: same,
      });
    }
    await context.close();
  } finally {
    await link.close();
    await tus.close();
  }
}

interface TusPage {
  tusLive(streams: readonly { stream: number; size: number }[], intervalMs: number, count: number): Promise<string[]>;
  tusBacklog(streams: readonly { stream: number; size: number }[], count: number, perChunk: boolean): Promise<string[]>;
}
