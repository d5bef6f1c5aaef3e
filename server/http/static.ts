import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import path from 'node:path';

/**
 * The built app. Hashed chunks are immutable; the shell, manifest and service worker must be
 * revalidated so a new release is picked up.
 */
export function staticRoutes(appDir: string): Hono {
  const app = new Hono();
  const root = path.relative(process.cwd(), appDir) || '.';
  app.use('*', async (c, next) => {
    await next();
    if (c.res.status !== 200) return;
    const immutable = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.(js|css|wasm|png|svg)$/.test(c.req.path);
    c.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  app.use('*', serveStatic({ root }));
  return app;
}
