import type { Page } from 'playwright-core';
import { endExam, localCopies, loginAndRecord } from '../test/helpers/recording-e2e.js';
import { benchEnv, emit, percentile, sleep, type BenchEnv } from './lib/setup.js';
import { workerHeap } from './lib/worker-heap.js';

/**
 * Recording on the page: persist latency (chunk handed to the worker → committed), main-thread
 * long tasks, and JS heap growth (page and recorder worker) over a long recording of camera + mic
 * + screen; then a 3-hour exam's worth of stored chunks: what an upload pass costs beside them,
 * and the main thread's load while that backlog uploads.
 * `npm run bench -- recording [--minutes N] [--backlog-only]` (default 10).
 */
const minutes = Number(process.argv[process.argv.indexOf('--minutes') + 1]) || 10;
const CHUNKS_3H = 5_400; // 3 h of 2 s chunks, one recording
const skipLive = process.argv.includes('--backlog-only');
const env = await benchEnv('bench-rec', 2);
try {
  if (!skipLive) await liveRecording(env);
  await threeHourBacklog(env);
} finally {
  await env.close();
}

async function liveRecording(env: BenchEnv): Promise<void> {
  const context = await env.browser.newContext();
  await context.addInitScript(`
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
      .observe({ type: 'longtask', buffered: true });
  `);
  const page = await loginAndRecord(context, env.server.url, 'cA-1');
  const cdp = await context.newCDPSession(page);
  const pageHeap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const workerHeapNow = await workerHeap(env.browser, 'recorder.worker');
  await sleep(15_000); // warm-up: worker started, first chunks stored
  const heapStart = await pageHeap() + await workerHeapNow();
  const tasksStart = await page.evaluate<number>('window.__longTasks.length');
  await sleep(minutes * 60_000);
  const heapEnd = await pageHeap() + await workerHeapNow();
  const longTasks = (await page.evaluate<number[]>(`window.__longTasks.slice(${tasksStart})`)).filter((d) => d > 100);
  const persist = await page.evaluate<number[]>(`performance.getEntriesByName('invigil:persist').map((e) => e.duration)`);
  await endExam(page);
  const ended = Date.now();
  const local = await localCopies(page);
  const recorded = local.reduce((n, r) => n + r.bytes, 0);
  // Divided by the time actually recorded: first segment's start (server time, this machine's clock) to the stop.
  const recordedS = (ended - Math.min(...local.map((r) => r.startedAt))) / 1000;
  const extra = { minutes, chunks: persist.length };
  emit('recording', 'persist_ms_p50', percentile(persist, 50), 'ms', extra);
  emit('recording', 'persist_ms_p99', percentile(persist, 99), 'ms', extra);
  emit('recording', 'heap_growth_mb', (heapEnd - heapStart) / 1_048_576, 'MB', { ...extra, of: 'page + recorder worker' });
  emit('recording', 'long_tasks_over_100ms', longTasks.length, 'count', { ...extra, longest_ms: Math.max(0, ...longTasks) });
  emit('recording', 'recorded_kbit_per_s', (recorded * 8) / 1000 / recordedS, 'kbit/s', { ...extra, recorded_s: Math.round(recordedS) });
  await context.close();
}

/**
 * A recording of 5,400 stored chunks (3 h at 2 s) put into the device's IndexedDB beside a live
 * recording, waiting to upload: the main thread's busy share while the page uploads that backlog,
 * then the cost of each upload pass during live recording with all 5,400 beside it.
 */
async function threeHourBacklog(env: BenchEnv): Promise<void> {
  const context = await env.browser.newContext();
  const page = await loginAndRecord(context, env.server.url, 'cA-2');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  // The same passes with nothing stored beside them: what this machine's IndexedDB and server cost anyway.
  const baseline = await passesOver(page, 60_000);
  const id = await seed(page, 'bench-rec', 'cA-2', CHUNKS_3H);
  const t0 = Date.now();
  const busy0 = await taskSeconds();
  // The page's own uploader takes it on its next pass (each stored chunk starts one).
  for (;;) {
    await sleep(2_000);
    if (await pendingOf(page, id) === 0) break;
    if (Date.now() - t0 > 20 * 60_000) throw new Error('the backlog did not drain in 20 minutes');
  }
  const drainS = (Date.now() - t0) / 1000;
  const busyPct = (100 * (await taskSeconds() - busy0)) / drainS;
  emit('recording', 'main_thread_busy_pct', busyPct, '%', { while: `uploading a backlog of ${CHUNKS_3H} chunks`, drain_s: Math.round(drainS) });
  const passes = await passesOver(page, 60_000);
  const local = passes.map((p) => p.ms - p.waitMs);
  const extra = {
    stored_chunks_beside: CHUNKS_3H, passes: passes.length, requests_per_pass: passes.reduce((n, p) => n + p.requests, 0) / Math.max(1, passes.length),
    none_beside_p50: percentile(baseline.map((p) => p.ms), 50), none_beside_p99: percentile(baseline.map((p) => p.ms), 99),
  };
  emit('recording', 'upload_pass_ms_p50', percentile(passes.map((p) => p.ms), 50), 'ms', extra);
  emit('recording', 'upload_pass_ms_p99', percentile(passes.map((p) => p.ms), 99), 'ms', extra);
  emit('recording', 'upload_pass_local_ms_p99', percentile(local, 99), 'ms', {
    ...extra, excludes: 'waiting for the server', none_beside_local_p99: percentile(baseline.map((p) => p.ms - p.waitMs), 99),
  });
  await context.close();
}

/** The page's upload passes (its own performance measures) over the next `ms`. */
async function passesOver(page: Page, ms: number): Promise<{ ms: number; waitMs: number; requests: number }[]> {
  const mark = await page.evaluate<number>('performance.now()');
  await sleep(ms);
  return page.evaluate<{ ms: number; waitMs: number; requests: number }[]>(`performance.getEntriesByName('invigil:upload-pass')
    .filter((e) => e.startTime > ${mark}).map((e) => ({ ms: e.duration, waitMs: e.detail.waitMs, requests: e.detail.requests }))`);
}

/** Writes a recording of `n` 2 KiB chunks, none acknowledged, straight into the app's IndexedDB. */
function seed(page: Page, examId: string, candidateId: string, n: number): Promise<string> {
  return page.evaluate<string>(`(async () => {
    const id = 'synthetic-3h-' + crypto.randomUUID().slice(0, 8);
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('invigil'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
    const chunks = [];
    for (let seq = 0; seq < ${n}; seq++) {
      const bytes = crypto.getRandomValues(new Uint8Array(2048));
      chunks.push({ recordingId: id, segment: 0, seq, blob: new Blob([bytes]), size: bytes.length, sha256: hex(await crypto.subtle.digest('SHA-256', bytes)) });
    }
    const tx = db.transaction(['recordings', 'chunks', 'pending'], 'readwrite');
    for (const c of chunks) {
      tx.objectStore('chunks').put(c);
      tx.objectStore('pending').put({ recordingId: c.recordingId, segment: c.segment, seq: c.seq, size: c.size, sha256: c.sha256 });
    }
    tx.objectStore('recordings').put({ id, examId: ${JSON.stringify(examId)}, candidateId: ${JSON.stringify(candidateId)}, kind: 'evidence', mimeType: 'video/webm',
      createdAt: Date.now(), state: 'recording', segments: [{ segment: 0, startedAt: Date.now(), mimeType: 'video/webm', chunks: ${n} }],
      chainHead: '0'.repeat(64), bytes: ${n} * 2048, uploadedBytes: 0, verifiedAt: null, problem: null });
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    db.close();
    return id;
  })()`);
}

function pendingOf(page: Page, id: string): Promise<number> {
  return page.evaluate<number>(`(async () => {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('invigil'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const range = IDBKeyRange.bound([${JSON.stringify(id)}, 0, 0], [${JSON.stringify(id)}, Infinity, Infinity]);
    const n = await new Promise((ok) => { const r = db.transaction('pending').objectStore('pending').count(range); r.onsuccess = () => ok(r.result); });
    db.close();
    return n;
  })()`);
}
