import { createHash } from 'node:crypto';
import { readFile, readdir, rm, mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

/**
 * tus 1.0 as a user would otherwise pick it, for the upload benchmark's side-by-side: `@tus/server`
 * with its file store on loopback, and `tus-js-client` in a page of the same origin. The page makes
 * the same stream ours records — one chunk per recording every 2 s, of the sizes ours recorded —
 * from a seeded generator, so the server's files can be checked byte for byte afterwards.
 */
export interface TusSide {
  url: string;
  /** Every file the tus server completed, with its SHA-256. */
  files(): Promise<{ id: string; size: number; sha256: string }[]>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function startTus(): Promise<TusSide> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'invigil-bench-tus-'));
  const tus = new Server({ path: '/files', datastore: new FileStore({ directory }) });
  const client = await readFile(path.join(path.dirname(require.resolve('tus-js-client/package.json')), 'dist', 'tus.js'));
  const page = `<!doctype html><meta charset="utf-8"><title>tus</title><script src="/tus.js"></script><script>${PAGE_SCRIPT}</script>`;
  const server = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (req.url === '/tus.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(client);
    } else {
      void tus.handle(req, res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async files() {
      const names = (await readdir(directory)).filter((n) => !n.endsWith('.json'));
      return Promise.all(names.map(async (id) => {
        const bytes = await readFile(path.join(directory, id));
        return { id, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Chunk `i` of stream `stream`: `size` bytes of a xorshift sequence seeded by both. One source for
 * Node and the page (the page cannot import it).
 */
const GENERATOR = `function chunkBytes(stream, i, size) {
  const out = new Uint8Array(size);
  let x = (stream * 1000003 + i * 7919 + 1) >>> 0;
  for (let k = 0; k < size; k++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[k] = x & 0xff;
  }
  return out;
}`;
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the generator's one source, shared with the page
const makeGenerator = new Function(`${GENERATOR}; return chunkBytes;`) as () => (stream: number, i: number, size: number) => Uint8Array;
export const chunkBytes = makeGenerator();

/** The SHA-256 of a whole stream of `count` chunks of `size` bytes. */
export function streamSha256(stream: number, count: number, size: number): string {
  const h = createHash('sha256');
  for (let i = 0; i < count; i++) h.update(chunkBytes(stream, i, size));
  return h.digest('hex');
}

/**
 * In the page: `window.tusLive(streams, intervalMs, count)` feeds each stream one chunk per
 * interval into its own upload (Upload-Defer-Length, one PATCH per chunk: `chunkSize` = the chunk),
 * and `window.tusBacklog(streams, count, perChunk)` uploads what was recorded offline at once —
 * one PATCH for the whole (tus-js-client's default), or one per chunk. Both resolve when every
 * upload succeeded; retries are tus-js-client's own.
 */
const PAGE_SCRIPT = `
${GENERATOR}
const RETRY = Array.from({ length: 600 }, (_, i) => (i === 0 ? 0 : 1000));
function upload(input, opts) {
  return new Promise((resolve, reject) => {
    // tus-js-client gives up while the browser says it is offline; a user who wants the upload to
    // survive an outage keeps it retrying (once a second) instead.
    const u = new tus.Upload(input, {
      endpoint: '/files/', retryDelays: RETRY, removeFingerprintOnSuccess: true, onShouldRetry: (err, attempt) => attempt < RETRY.length,
      ...opts, onSuccess: () => resolve(u.url), onError: reject,
    });
    u.start();
  });
}
window.tusLive = (streams, intervalMs, count) => Promise.all(streams.map((s) => {
  let i = 0;
  let timer;
  const stream = new ReadableStream({
    start(c) {
      timer = setInterval(() => {
        c.enqueue(chunkBytes(s.stream, i, s.size));
        if (++i === count) { clearInterval(timer); c.close(); }
      }, intervalMs);
    },
  });
  return upload(stream.getReader(), { uploadLengthDeferred: true, chunkSize: s.size });
}));
window.tusBacklog = (streams, count, perChunk) => Promise.all(streams.map((s) => {
  const parts = [];
  for (let i = 0; i < count; i++) parts.push(chunkBytes(s.stream, i, s.size));
  return upload(new Blob(parts), perChunk ? { chunkSize: s.size } : {});
}));
`;
