import type { Browser } from 'playwright-core';
import { encodeSectionHeader, FRAME_HEADER_BYTES } from '../../src/core/upload-frames.js';

/** One live batch as a pass sends it: four 2-s chunks of each recording (camera ≈ 300 kbit/s, screen less). */
const CHUNKS = [75_000, 75_000, 75_000, 75_000, 25_000, 25_000, 25_000, 25_000];

export interface HandOffFloor { blobMs: number[]; fetchMs: number[] }

/**
 * What the browser alone costs to take one live batch's request, in a dedicated worker like the
 * recorder's with none of our code in it: the framed body's Blob (a section header, then frame
 * headers and chunk Blobs interleaved — 18 parts, as src/net/upload-api.ts builds it) and the
 * `fetch()` call, each timed around the synchronous call. A pass that sends a request cannot cost
 * less. Run beside whatever else the bench runs, so it meets the same machine.
 */
export async function handOffFloor(browser: Browser, origin: string, samples = 60): Promise<HandOffFloor> {
  // A worker from a blob: URL, which the app's CSP refuses: its own context, CSP bypassed.
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/healthz`);
    const sectionBytes = encodeSectionHeader(`bench-rec-camera-${'0'.repeat(16)}`).length;
    const code = `
      const random = (n) => { const a = new Uint8Array(n); for (let i = 0; i < n; i += 65536) crypto.getRandomValues(a.subarray(i, Math.min(n, i + 65536))); return a; };
      onmessage = async ({ data: { url, chunks, section, frame, samples } }) => {
        const out = { blobMs: [], fetchMs: [] };
        for (let k = 0; k < samples; k++) {
          const blobs = chunks.map((n) => new Blob([random(n)]));
          const half = blobs.length / 2;
          const parts = [blobs.slice(0, half), blobs.slice(half)].flatMap((rec) => [random(section), ...rec.flatMap((b) => [random(frame), b])]);
          await new Promise((r) => setTimeout(r, 100));
          let t = performance.now();
          const body = new Blob(parts);
          out.blobMs.push(performance.now() - t);
          t = performance.now();
          const sent = fetch(url, { method: 'POST', body, cache: 'no-store' });
          out.fetchMs.push(performance.now() - t);
          await (await sent).arrayBuffer();
        }
        postMessage(out);
      };`;
    return await page.evaluate(async ({ code, args }) => {
      const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
      try {
        return await new Promise<HandOffFloor>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent<HandOffFloor>) => resolve(e.data);
          worker.onerror = (e) => reject(new Error(e.message));
          worker.postMessage(args);
        });
      } finally {
        worker.terminate();
      }
    }, {
      code,
      // The framed upload route, without a credential: refused at once (401) — only the hand-off is timed.
      args: { url: `${origin}/api/recordings/chunks`, chunks: CHUNKS, section: sectionBytes, frame: FRAME_HEADER_BYTES, samples },
    });
  } finally {
    await context.close();
  }
}
