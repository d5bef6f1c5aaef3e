import type { Page } from 'playwright-core';

/**
 * `npm run bench -- review --explain`: what each seek waited for, on stderr — every video's media
 * events (seeking, suspend, seeked…), the segment requests (queueing, first byte, bytes received,
 * cancelled), the page's long tasks, and a profile of its main thread over all the seeks.
 * Call before the seeks (`find` defines the page's `find(root)` for the review player); the
 * returned function, after them, prints.
 */
export async function explainSeeks(page: Page, find: string): Promise<(log: SeekRecord[]) => Promise<void>> {
  const log: LogLine[] = [];
  const requests = await mediaRequests(page, log);
  const profiler = await page.context().newCDPSession(page);
  await profiler.send('Profiler.enable');
  await profiler.send('Profiler.setSamplingInterval', { interval: 500 });
  await profiler.send('Profiler.start');
  await page.evaluate(`(() => { ${find}
    window.__videoLog = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__videoLog.push({ wall: performance.timeOrigin + e.startTime, player: 'main', text: 'long task ' + Math.round(e.duration) + ' ms' }); }).observe({ type: 'longtask' });
    for (const v of find(document).shadowRoot.querySelectorAll('video')) {
      for (const type of ['loadstart', 'emptied', 'abort', 'error', 'seeking', 'seeked', 'waiting', 'stalled', 'loadedmetadata', 'loadeddata', 'canplay', 'suspend', 'play', 'pause']) {
        v.addEventListener(type, () => window.__videoLog.push({ wall: Date.now(), player: v.dataset.kind, text: type + ' rs=' + v.readyState + ' t=' + v.currentTime.toFixed(2) }));
      }
    }
  })()`);
  return async (seeks) => {
    const { profile } = await profiler.send('Profiler.stop');
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples?.forEach((id, i) => {
      const n = byId.get(id);
      if (!n) return;
      const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
      self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas?.[i + 1] ?? 0) / 1000);
    });
    process.stderr.write(`main thread during the seeks, self ms:\n${[...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `  ${v.toFixed(1)} ${k}`).join('\n')}\n`);
    log.push(...await page.evaluate<LogLine[]>('window.__videoLog'));
    log.sort((a, b) => a.wall - b.wall);
    for (const [i, s] of seeks.entries()) {
      const next = seeks[i + 1]?.at ?? Infinity;
      const mine = requests.filter((r) => r.sent >= s.at && r.sent < next).map((r) => ({ ...r, sent: Math.round(r.sent - s.at) }));
      process.stderr.write(`${JSON.stringify({ seek: i, ms: Math.round(s.ms), ready: s.ready, requests: mine })}\n`);
      for (const m of log.filter((x) => x.wall >= s.at && x.wall < next)) process.stderr.write(`  ${Math.round(m.wall - s.at)} ${m.player} ${m.text}\n`);
    }
  };
}

/** One seek as the bench timed it: when it began (wall ms), how long until all showed, each stream's own time. */
export interface SeekRecord { at: number; ms: number; ready: Record<string, number> }
interface LogLine { wall: number; player: string; text: string }
interface MediaRequest { kind: string; range: string; sent: number; queuedMs: number; connectMs: number; firstByteMs: number; socket: number; reused: boolean }

/** The page's segment requests as the network saw them (wall-clock ms); read with the returned function. */
async function mediaRequests(p: Page, mediaLog: LogLine[]): Promise<MediaRequest[]> {
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('Network.enable');
  const sent = new Map<string, { wall: number; mono: number; url: string; range: string }>();
  const out: MediaRequest[] = [];
  await cdp.send('Media.enable');
  cdp.on('Media.playerEventsAdded', (e) => {
    for (const ev of e.events) mediaLog.push({ wall: ev.timestamp * 1000, player: e.playerId.slice(-4), text: ev.value.slice(0, 160) });
  });
  cdp.on('Media.playerMessagesLogged', (e) => {
    for (const m of e.messages) if (!/Cannot select|Selected|created (audio|video)/.test(m.message)) mediaLog.push({ wall: Date.now(), player: e.playerId.slice(-4), text: `${m.level}: ${m.message.slice(0, 160)}` });
  });
  cdp.on('Network.requestWillBeSent', (e) => {
    if (!e.request.url.includes('/segments/')) return;
    sent.set(e.requestId, { wall: e.wallTime * 1000, mono: e.timestamp * 1000, url: e.request.url, range: e.request.headers.Range ?? e.request.headers.range ?? '' });
  });
  const got = new Map<string, number>();
  cdp.on('Network.dataReceived', (e) => {
    const s = sent.get(e.requestId);
    if (!s) return;
    const before = got.get(e.requestId) ?? 0;
    const now = before + e.dataLength;
    got.set(e.requestId, now);
    const wall = s.wall + (e.timestamp * 1000 - s.mono);
    for (const mark of [32_768, 262_144, 1_048_576, 2_097_152, 4_194_304]) {
      if (before < mark && now >= mark) mediaLog.push({ wall, player: /rec-bench-(\w+)/.exec(s.url)?.[1] ?? '?', text: `received ${mark >> 10} KB of ${s.range}` });
    }
  });
  cdp.on('Network.loadingFinished', (e) => {
    const s = sent.get(e.requestId);
    if (s) mediaLog.push({ wall: s.wall + (e.timestamp * 1000 - s.mono), player: /rec-bench-(\w+)/.exec(s.url)?.[1] ?? '?', text: `finished ${s.range}: ${got.get(e.requestId) ?? 0} B` });
  });
  cdp.on('Network.loadingFailed', (e) => {
    const s = sent.get(e.requestId);
    if (s) mediaLog.push({ wall: s.wall + (e.timestamp * 1000 - s.mono), player: /rec-bench-(\w+)/.exec(s.url)?.[1] ?? '?', text: `failed ${s.range} after ${got.get(e.requestId) ?? 0} B: ${e.errorText}${e.canceled ? ' (canceled)' : ''}` });
  });
  cdp.on('Network.responseReceived', (e) => {
    const s = sent.get(e.requestId);
    const t = e.response.timing;
    if (!s || !t) return;
    const start = t.requestTime * 1000;
    out.push({
      kind: /rec-bench-(\w+)/.exec(s.url)?.[1] ?? '?', range: s.range, sent: s.wall, queuedMs: Math.round(start - s.mono),
      connectMs: Math.round(t.connectEnd >= 0 ? t.connectEnd - t.connectStart : 0), firstByteMs: Math.round(t.receiveHeadersEnd), socket: e.response.connectionId, reused: e.response.connectionReused,
    });
  });
  return out;
}
