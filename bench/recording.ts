import { endExam, localCopies, loginAndRecord } from '../test/helpers/recording-e2e.js';
import { benchEnv, emit, percentile, sleep } from './lib/setup.js';

/**
 * Recording on the page: persist latency (chunk handed to the worker → committed), main-thread
 * long tasks, and JS heap growth over a long recording of camera + mic + screen.
 * `npm run bench -- recording [--minutes N]` (default 10).
 */
const minutes = Number(process.argv[process.argv.indexOf('--minutes') + 1]) || 10;
const env = await benchEnv('bench-rec', 1);
try {
  const context = await env.browser.newContext();
  await context.addInitScript(`
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
      .observe({ type: 'longtask', buffered: true });
  `);
  const page = await loginAndRecord(context, env.server.url, 'cA-1');
  const cdp = await context.newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  await sleep(15_000); // warm-up: worker started, first chunks stored
  const heapStart = await heap();
  const tasksStart = await page.evaluate<number>('window.__longTasks.length');
  await sleep(minutes * 60_000);
  const heapEnd = await heap();
  const longTasks = (await page.evaluate<number[]>(`window.__longTasks.slice(${tasksStart})`)).filter((d) => d > 100);
  const persist = await page.evaluate<number[]>(`performance.getEntriesByName('invigil:persist').map((e) => e.duration)`);
  await endExam(page);
  const local = await localCopies(page);
  const recorded = local.reduce((n, r) => n + r.bytes, 0);
  const extra = { minutes, chunks: persist.length };
  emit('recording', 'persist_ms_p50', percentile(persist, 50), 'ms', extra);
  emit('recording', 'persist_ms_p99', percentile(persist, 99), 'ms', extra);
  emit('recording', 'heap_growth_mb', (heapEnd - heapStart) / 1_048_576, 'MB', extra);
  emit('recording', 'long_tasks_over_100ms', longTasks.length, 'count', { ...extra, longest_ms: Math.max(0, ...longTasks) });
  emit('recording', 'recorded_kbit_per_s', (recorded * 8) / 1000 / ((minutes * 60) + 15), 'kbit/s', extra);
  await context.close();
} finally {
  await env.close();
}
