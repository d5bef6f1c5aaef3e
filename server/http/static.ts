import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import path from 'node:path';

/** Files the build precompresses (brotli and gzip). */
export const COMPRESSED = /\.(js|mjs|css|html|json|webmanifest|svg|txt|wasm|bin)$/;

/**
 * The built app, each file sent brotli- or gzip-encoded as the browser accepts (precompressed at
 * build). Hashed chunks are immutable; the shell, manifest and service worker must be revalidated
 * so a new release is picked up.
 */
export function staticRoutes(appDir: string): Hono {
  const app = new Hono();
  const root = path.relative(process.cwd(), appDir) || '.';
  app.use('*', async (c, next) => {
    await next();
    if (c.res.status !== 200) return;
    const immutable = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.(js|css|wasm|png|svg)$/.test(c.req.path);
    c.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    // Built with .br and .gz beside it (scripts/compress.mjs): a cache must key on the encoding.
    if (COMPRESSED.test(c.req.path) || c.req.path.endsWith('/')) c.header('vary', 'Accept-Encoding');
  });
  app.use('*', serveStatic({ root, precompressed: true }));
  return app;
}
