import type { Browser, CDPSession } from 'playwright-core';

/**
 * A dedicated worker's JS heap through the browser's DevTools protocol (Playwright gives no
 * session for workers): attached once by URL, then `Runtime.getHeapUsage` after a GC.
 */
export async function workerHeap(browser: Browser, urlPart: string): Promise<() => Promise<number>> {
  const bs: CDPSession = await browser.newBrowserCDPSession();
  const { targetInfos } = await bs.send('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'worker' && t.url.includes(urlPart));
  if (!target) throw new Error(`no worker ${urlPart} (${targetInfos.map((t) => t.url).join(', ')})`);
  const { sessionId } = await bs.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let id = 0;
  const call = (method: string) => new Promise<Record<string, unknown>>((resolve) => {
    const mine = ++id;
    const onMessage = (e: { sessionId?: string; message: string }) => {
      const m = JSON.parse(e.message) as { id?: number; result?: Record<string, unknown> };
      if (e.sessionId !== sessionId || m.id !== mine) return;
      bs.off('Target.receivedMessageFromTarget', onMessage);
      resolve(m.result ?? {});
    };
    bs.on('Target.receivedMessageFromTarget', onMessage);
    void bs.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: mine, method }) });
  });
  return async () => {
    await call('HeapProfiler.collectGarbage');
    return Number((await call('Runtime.getHeapUsage')).usedSize);
  };
}
