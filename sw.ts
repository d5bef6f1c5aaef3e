/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { UPLOAD_SYNC_TAG, deviceUploadDeps, syncAll } from './src/net/sync-all.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };
interface SyncEvent extends ExtendableEvent { tag: string }

// The shell and the candidate/phone modes, listed at build time by workbox-build (injectManifest).
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// The app's address (all routes are in the hash) opens the cached shell, so a reload works offline.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { allowlist: [/^\/$/, /^\/index\.html$/] }));

// No skipWaiting: a new version takes over only when no exam tab still runs the old one.
self.addEventListener('activate', (event) => event.waitUntil(Promise.all([self.clients.claim(), uploadQuietly()])));

// Uploads go on without the page: Background Sync when the link is back, a page's nudge, and
// every start of this worker. One uploader per recording at a time (Web Lock in the uploader).
self.addEventListener('sync', (event) => {
  const e = event as SyncEvent;
  if (e.tag === UPLOAD_SYNC_TAG) e.waitUntil(syncAll(deviceUploadDeps));
});
self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'upload-now') event.waitUntil(uploadQuietly());
});
void uploadQuietly();

async function uploadQuietly(): Promise<void> {
  try {
    await syncAll(deviceUploadDeps);
  } catch (err) {
    console.warn('service worker upload pass failed', err);
  }
}
