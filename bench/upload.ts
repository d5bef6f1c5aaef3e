import { endExam, localCopies, loginAndRecord } from '../test/helpers/recording-e2e.js';
import { startLinkProxy } from './lib/link-proxy.js';
import { benchEnv, emit, sleep } from './lib/setup.js';

/**
 * Uploads through a counting, throttling TCP proxy on loopback:
 * - bytes sent for recording uploads per byte recorded, counted from the first recorded byte,
 *   with five drops that each sever the link while a chunk's body is on its way;
 * - the rate at which a backlog drains after reconnecting, against the link's rate.
 * `npm run bench -- upload`
 */
const LIVE_LINK_BPS = 2_000_000;
const LINK_BPS = 500_000;
const env = await benchEnv('bench-up', 2);
const proxy = await startLinkProxy(new URL(env.server.url));
try {
  // 1. Five drops while recording and uploading live, each cutting a chunk mid-body.
  {
    const start = proxy.uploads();
    proxy.setUploadLimit(LIVE_LINK_BPS);
    const context = await env.browser.newContext();
    const page = await loginAndRecord(context, proxy.url, 'cA-1');
    for (let i = 0; i < 5; i++) {
      await sleep(6_000);
      await proxy.midBody();
      proxy.cut();
      await context.setOffline(true);
      await sleep(4_000);
      await context.setOffline(false);
    }
    await sleep(5_000);
    await context.setOffline(true);
    await endExam(page);
    const local = await localCopies(page);
    await context.setOffline(false);
    await page.getByText('上传成功').nth(1).waitFor({ timeout: 120_000 });
    const recorded = local.reduce((n, r) => n + r.bytes, 0);
    const end = proxy.uploads();
    const sent = end.bytes - start.bytes;
    const headers = end.headerBytes - start.headerBytes;
    const extra = { drops: 5, cut: 'mid-body', recorded_bytes: recorded, sent_bytes: sent, requests: end.requests - start.requests, header_bytes: headers };
    emit('upload', 'bytes_sent_per_byte_recorded', sent / recorded, 'ratio', extra);
    emit('upload', 'body_bytes_sent_per_byte_recorded', (sent - headers) / recorded, 'ratio', { drops: 5 });
    proxy.setUploadLimit(null);
    await context.close();
  }
  // 2. A backlog recorded offline drains on a 500 kbit/s link.
  {
    const context = await env.browser.newContext();
    const page = await loginAndRecord(context, proxy.url, 'cA-2');
    await context.setOffline(true);
    await sleep(40_000);
    await endExam(page);
    const local = await localCopies(page);
    const backlog = local.reduce((n, r) => n + r.bytes, 0);
    proxy.setUploadLimit(LINK_BPS);
    const t0 = Date.now();
    await context.setOffline(false);
    await page.getByText('上传成功').nth(1).waitFor({ timeout: 300_000 });
    const seconds = (Date.now() - t0) / 1000;
    proxy.setUploadLimit(null);
    emit('upload', 'drain_rate_vs_link', (backlog * 8) / seconds / LINK_BPS, 'ratio', { link_kbit_s: LINK_BPS / 1000, backlog_bytes: backlog, seconds });
    await context.close();
  }
} finally {
  await proxy.close();
  await env.close();
}
