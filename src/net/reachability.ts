/**
 * Whether this page reaches our server, from its own requests. `navigator.onLine` says only that
 * a network is attached — and after a reload served by the service worker while offline, Chromium
 * reports true (crbug.com/678075; seen here in Chromium 150) — so a request that finds no
 * connection marks the server unreachable and any reply marks it reachable. While unreachable,
 * the page asks `/api/time` now and then (5 s, growing to 30 s) to notice the link's return;
 * the browser's `online` event asks at once.
 */
export class Reachability extends EventTarget {
  reachable = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wait = FIRST_PROBE_MS;

  constructor(private readonly probe: (() => Promise<unknown>) | null) {
    super();
  }

  /** A request got a reply (`true`) or found no connection (`false`). */
  seen(replied: boolean): void {
    if (replied === this.reachable) return;
    this.reachable = replied;
    clearTimeout(this.timer);
    this.wait = FIRST_PROBE_MS;
    if (!replied) this.schedule();
    this.dispatchEvent(new Event('change'));
  }

  /** The browser says a network is attached again: ask now rather than at the next probe. */
  retryNow(): void {
    if (this.reachable || !this.probe) return;
    clearTimeout(this.timer);
    void this.probe().finally(() => {
      if (!this.reachable) this.schedule();
    });
  }

  private schedule(): void {
    const probe = this.probe;
    if (!probe) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.wait = Math.min(this.wait * 2, MAX_PROBE_MS);
      void probe().finally(() => {
        if (!this.reachable) this.schedule();
      });
    }, this.wait);
  }
}

const FIRST_PROBE_MS = 5_000;
const MAX_PROBE_MS = 30_000;

const onPage = typeof (globalThis as { document?: unknown }).document !== 'undefined';

/** This context's view: on a page it probes by itself; in a worker it only records what requests saw. */
export const reachability: Reachability = new Reachability(onPage
  ? (): Promise<void> => fetch('/api/time', { cache: 'no-store' }).then(() => reachability.seen(true), () => reachability.seen(false))
  : null);

if (onPage) {
  globalThis.addEventListener('offline', () => reachability.seen(false));
  globalThis.addEventListener('online', () => reachability.retryNow());
}
