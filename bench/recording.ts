import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { endExam, localCopies, loginAndRecord } from '../test/helpers/recording-e2e.js';
import { benchEnv, emit, percentile, sleep, type BenchEnv } from './lib/setup.js';
import { workerHeap, workerSession } from './lib/worker-session.js';
import { pendingOf, seed } from './lib/backlog.js';
import { handOffFloor } from './lib/hand-off-floor.js';

/**
 * Recording on the page: persist latency (chunk handed to the worker → committed), main-thread
 * long tasks, and JS heap growth (page and recorder worker) over a long recording of camera + mic
 * + screen; then a 3-hour exam's worth of stored chunks: what an upload pass costs beside them,
 * and the main thread's load while that backlog uploads.
 * `npm run bench -- recording [--minutes N] [--backlog-only] [--pass-minutes M] [--profile FILE]`
 * (default 10; `--pass-minutes`: how long the passes beside the backlog are measured, default 1 —
 * 7–8 passes a minute, so a longer window steadies their p99; `--profile`: a CPU profile of the
 * recorder worker over those passes, for DevTools).
 */
const minutes = Number(process.argv[process.argv.indexOf('--minutes') + 1]) || 10;
const CHUNKS_3H = 5_400; // 3 h of 2 s chunks, one recording
const skipLive = process.argv.includes('--backlog-only');
const passMinutes = Number(process.argv[process.argv.indexOf('--pass-minutes') + 1]) || 1;
const profileTo = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined;
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
  // ThreadTime: the main thread's CPU time; TaskDuration: the wall time of its tasks, which grows
  // with what else this 2-core machine runs (the server, the browser's other threads).
  const metrics = async () => {
    const all = (await cdp.send('Performance.getMetrics')).metrics;
    const of = (name: string) => all.find((m) => m.name === name)?.value ?? 0;
    return { cpu: of('ThreadTime'), wall: of('TaskDuration') };
  };
  // The same passes with nothing stored beside them: what this machine's IndexedDB and server cost anyway.
  const idle0 = await metrics();
  const baseline = await passesOver(page, 60_000);
  const idle1 = await metrics();
  const id = await seed(page, 'bench-rec', 'cA-2', CHUNKS_3H);
  const t0 = Date.now();
  const busy0 = await metrics();
  // The page's own uploader takes it on its next pass (each stored chunk starts one).
  for (;;) {
    await sleep(2_000);
    if (await pendingOf(page, id) === 0) break;
    if (Date.now() - t0 > 20 * 60_000) throw new Error('the backlog did not drain in 20 minutes');
  }
  const drainS = (Date.now() - t0) / 1000;
  const busy1 = await metrics();
  const pct = (s: number, over: number) => Math.round((10_000 * s) / over) / 100;
  emit('recording', 'main_thread_busy_pct', pct(busy1.cpu - busy0.cpu, drainS), '%', {
    of: 'CPU time of the page\'s main thread', while: `uploading a backlog of ${CHUNKS_3H} chunks`, drain_s: Math.round(drainS),
    task_wall_pct: pct(busy1.wall - busy0.wall, drainS), none_beside_pct: pct(idle1.cpu - idle0.cpu, 60), none_beside_task_wall_pct: pct(idle1.wall - idle0.wall, 60),
  });
  const profiler = profileTo ? await workerSession(env.browser, 'recorder.worker') : null;
  await profiler?.('Profiler.enable');
  await profiler?.('Profiler.setSamplingInterval', { interval: 50 });
  await profiler?.('Profiler.start');
  const passes = await passesOver(page, passMinutes * 60_000);
  if (profiler && profileTo) writeFileSync(profileTo, JSON.stringify((await profiler('Profiler.stop')).profile));
  // The same request's hand-off with none of our code: the browser's floor under a pass, measured
  // while this page still records and uploads beside it.
  const floor = await handOffFloor(env.browser, env.server.url);
  const floorMs = floor.blobMs.map((ms, i) => ms + (floor.fetchMs[i] ?? 0));
  const local = passes.map((p) => p.ms - p.waitMs);
  const extra = {
    stored_chunks_beside: CHUNKS_3H, pass_minutes: passMinutes, passes: passes.length, requests_per_pass: passes.reduce((n, p) => n + p.requests, 0) / Math.max(1, passes.length),
    none_beside_p50: percentile(baseline.map((p) => p.ms), 50), none_beside_p99: percentile(baseline.map((p) => p.ms), 99),
  };
  emit('recording', 'upload_pass_ms_p50', percentile(passes.map((p) => p.ms), 50), 'ms', extra);
  emit('recording', 'upload_pass_ms_p99', percentile(passes.map((p) => p.ms), 99), 'ms', extra);
  // The pass's own work in the worker: its time there less the waiting for the server's replies.
  const own = passes.map((p) => p.workerMs - p.waitMs);
  emit('recording', 'upload_pass_own_ms_p99', percentile(own, 99), 'ms', {
    ...extra, excludes: 'waiting for the server; the page↔worker bridge', p50: percentile(own, 50),
    none_beside_p99: percentile(baseline.map((p) => p.workerMs - p.waitMs), 99), goal: '<= 5',
    // With tens of passes, p99 is the slowest one or two: how many passes the goal's 5 ms missed, and the whole spread.
    over_5ms: own.filter((ms) => ms > 5).length, own_ms_sorted: [...own].sort((a, b) => a - b).map((ms) => Math.round(ms * 10) / 10),
    // Passes that read nothing from IndexedDB (chunks sent from memory) vs those that did (events and chat from the outbox).
    no_db_passes: passes.filter((p) => p.dbCalls === 0).length, no_db_p99: percentile(passes.filter((p) => p.dbCalls === 0).map((p) => p.workerMs - p.waitMs), 99),
    // Of it, the browser's taking of the requests: the framed body's Blob and the fetch() call, each a
    // synchronous call into the browser process — its time grows with what else the machine runs.
    hand_off_ms_p50: percentile(passes.map((p) => p.handOffMs), 50), hand_off_ms_p99: percentile(passes.map((p) => p.handOffMs), 99),
    own_less_hand_off_ms_p99: percentile(passes.map((p) => p.workerMs - p.waitMs - p.handOffMs), 99),
  });
  emit('recording', 'request_hand_off_floor_ms_p99', percentile(floorMs, 99), 'ms', {
    of: 'one live batch\'s request (8 chunks, 18 Blob parts) handed to the browser in a bare worker: new Blob + fetch(), none of our code',
    p50: percentile(floorMs, 50), blob_ms_p50: percentile(floor.blobMs, 50), fetch_ms_p50: percentile(floor.fetchMs, 50),
    samples: floorMs.length, over_5ms: floorMs.filter((ms) => ms > 5).length,
  });
  emit('recording', 'upload_pass_local_ms_p99', percentile(local, 99), 'ms', {
    ...extra, excludes: 'waiting for the server', none_beside_local_p99: percentile(baseline.map((p) => p.ms - p.waitMs), 99),
    db_calls_per_pass: passes.reduce((n, p) => n + p.dbCalls, 0) / Math.max(1, passes.length),
    db_ms_p50: percentile(passes.map((p) => p.dbMs), 50), db_ms_p99: percentile(passes.map((p) => p.dbMs), 99),
    bridge_ms_p50: percentile(passes.map((p) => p.ms - p.workerMs), 50), bridge_ms_p99: percentile(passes.map((p) => p.ms - p.workerMs), 99),
    slowest: [...passes].sort((a, b) => (b.ms - b.waitMs) - (a.ms - a.waitMs)).slice(0, 3)
      .map((p) => ({ ms: Math.round(p.ms), wait_ms: Math.round(p.waitMs), db_calls: p.dbCalls, db_ms: Math.round(p.dbMs), requests: p.requests })),
  });
  await context.close();
}

/** The page's upload passes (its own performance measures) over the next `ms`. */
interface Pass { ms: number; waitMs: number; handOffMs: number; requests: number; dbCalls: number; dbMs: number; workerMs: number }
async function passesOver(page: Page, ms: number): Promise<Pass[]> {
  const mark = await page.evaluate<number>('performance.now()');
  await sleep(ms);
  return page.evaluate<Pass[]>(`performance.getEntriesByName('invigil:upload-pass')
    .filter((e) => e.startTime > ${mark}).map((e) => ({ ms: e.duration, ...e.detail }))`);
}
