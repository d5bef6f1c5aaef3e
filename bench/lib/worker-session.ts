import type { Browser, CDPSession } from 'playwright-core';

type Call = (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;

/**
 * A DevTools protocol session on a dedicated worker (Playwright gives none for workers), attached
 * once by URL through the browser's session: `call` sends a method and resolves with its result.
 */
export async function workerSession(browser: Browser, urlPart: string): Promise<Call> {
  const bs: CDPSession = await browser.newBrowserCDPSession();
  const { targetInfos } = await bs.send('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'worker' && t.url.includes(urlPart));
  if (!target) throw new Error(`no worker ${urlPart} (${targetInfos.map((t) => t.url).join(', ')})`);
  const { sessionId } = await bs.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let id = 0;
  return (method, params = {}) => new Promise((resolve) => {
    const mine = ++id;
    const onMessage = (e: { sessionId?: string; message: string }) => {
      const m = JSON.parse(e.message) as { id?: number; result?: Record<string, unknown> };
      if (e.sessionId !== sessionId || m.id !== mine) return;
      bs.off('Target.receivedMessageFromTarget', onMessage);
      resolve(m.result ?? {});
    };
    bs.on('Target.receivedMessageFromTarget', onMessage);
    void bs.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: mine, method, params }) });
  });
}

/** A dedicated worker's JS heap: `Runtime.getHeapUsage` after a GC. */
export async function workerHeap(browser: Browser, urlPart: string): Promise<() => Promise<number>> {
  const call = await workerSession(browser, urlPart);
  return async () => {
    await call('HeapProfiler.collectGarbage');
    return Number((await call('Runtime.getHeapUsage')).usedSize);
  };
}
