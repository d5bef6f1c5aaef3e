import { gzipSync } from 'node:zlib';
import { benchEnv, emit, percentile } from './lib/setup.js';

/**
 * The candidate shell: JavaScript downloaded before the first step shows (gzip, as a server or
 * CDN would send it), the offline start (navigation → first step rendered, network off, served
 * by the service worker; median of 7), and everything precached for offline use.
 * `npm run bench -- shell`
 */
const env = await benchEnv('bench-shell', 1);
try {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const scripts = new Map<string, number>();
  // What actually crossed the wire (the server sends precompressed brotli/gzip), per response.
  const wire = new Map<string, { bytes: number; script: boolean; encoding: string }>();
  page.on('response', (res) => {
    const script = res.request().resourceType() === 'script';
    void res.request().sizes().then((sz) => wire.set(res.url(), { bytes: sz.responseBodySize, script, encoding: res.headers()['content-encoding'] ?? 'identity' })).catch(() => undefined);
    if (!script) return;
    void res.body().then((b) => scripts.set(res.url(), gzipSync(b, { level: 9 }).length)).catch(() => undefined);
  });
  await page.goto(`${env.server.url}/#/`);
  await page.locator('[data-step]').waitFor();
  await page.waitForLoadState('networkidle');
  const firstStepJs = [...scripts.values()].reduce((a, b) => a + b, 0);
  emit('shell', 'shell_js_gzip_kb', firstStepJs / 1024, 'KB', { files: scripts.size });
  const sent = [...wire.values()];
  const jsSent = sent.filter((w) => w.script);
  emit('shell', 'shell_js_transferred_kb', jsSent.reduce((a, w) => a + w.bytes, 0) / 1024, 'KB', {
    files: jsSent.length, encodings: [...new Set(jsSent.map((w) => w.encoding))].join(','),
  });
  emit('shell', 'first_load_transferred_kb', sent.reduce((a, w) => a + w.bytes, 0) / 1024, 'KB', { responses: sent.length });

  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await page.locator('[data-step]').waitFor();
  const precached = await page.evaluate(async () => {
    let bytes = 0;
    let entries = 0;
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        bytes += res ? (await res.arrayBuffer()).byteLength : 0;
        entries++;
      }
    }
    return { bytes, entries };
  });
  emit('shell', 'precache_total_mb', precached.bytes / 1_048_576, 'MB', { entries: precached.entries });

  await context.setOffline(true);
  const starts: number[] = [];
  for (let i = 0; i < 7; i++) {
    await page.reload({ waitUntil: 'commit' });
    await page.locator('[data-step]').waitFor();
    // From the navigation's start (the page's time origin) to the step on screen.
    starts.push(await page.evaluate(() => performance.now()));
  }
  emit('shell', 'offline_start_ms', percentile(starts, 50), 'ms', { runs: starts.length, max_ms: Math.max(...starts) });
  await context.close();
} finally {
  await env.close();
}
