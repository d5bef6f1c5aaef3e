import { ApiErrorBody } from '../core/api-schema.js';
import { reachability } from './reachability.js';

/**
 * What a request came to, in the one classification every caller uses (API client, uploader,
 * outbox, service worker):
 * - `retry`: no connection, 5xx, 408 or 429, or a reply that is not ours (a proxy, a captive
 *   portal) — try again later, not before `afterMs` when the server said (Retry-After);
 * - `auth`: 401 — refresh the session, or sign in again for a device credential;
 * - `refused`: any other 4xx — this request will never succeed as it is: set it aside, say so,
 *   and go on with the rest.
 */
export type Verdict =
  | { kind: 'ok'; res: Response }
  | { kind: 'retry'; status: number; afterMs: number | null; error: ApiErrorBody | null }
  | { kind: 'auth'; error: ApiErrorBody }
  | { kind: 'refused'; status: number; error: ApiErrorBody };

export type FetchFn = typeof fetch;
export const defaultFetch: FetchFn = (...args) => fetch(...args);

/**
 * Requests made in this page or worker, and the time during which at least one awaited its reply
 * (benchmarks: requests at once count their common wait once, so a pass's time less this is its own);
 * `handOffMs`: the time the browser took to take a request — its `fetch()` call and the building of
 * a framed body's Blob, each a synchronous call into the browser process (benchmarks report it).
 */
export const requestStats = { count: 0, waitMs: 0, handOffMs: 0 };
const waiting = { now: 0, since: 0 };

export async function request(url: string, init: RequestInit, fetchFn: FetchFn = defaultFetch): Promise<Verdict> {
  let res: Response;
  // The wait begins once the request is handed to the browser: building it is this context's work.
  const t0 = performance.now();
  const sending = (async () => fetchFn(url, { cache: 'no-store', ...init }))();
  requestStats.handOffMs += performance.now() - t0;
  if (waiting.now++ === 0) waiting.since = performance.now();
  try {
    res = await sending;
  } catch {
    reachability.seen(false);
    return { kind: 'retry', status: 0, afterMs: null, error: null };
  } finally {
    requestStats.count++;
    if (--waiting.now === 0) requestStats.waitMs += performance.now() - waiting.since;
  }
  reachability.seen(true);
  if (res.ok) return { kind: 'ok', res };
  const parsed = ApiErrorBody.safeParse(await res.json().catch(() => null));
  const error = parsed.success ? parsed.data : null;
  if (res.status >= 500 || res.status === 408 || res.status === 429 || !error) {
    return { kind: 'retry', status: res.status, afterMs: retryAfterMs(res.headers.get('retry-after')), error };
  }
  if (res.status === 401) return { kind: 'auth', error };
  return { kind: 'refused', status: res.status, error };
}

/** `Retry-After` as milliseconds from now: seconds, or an HTTP date (against this device's clock). */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
