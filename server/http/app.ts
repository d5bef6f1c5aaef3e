import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Services } from '../services.js';
import { ApiError } from './api-error.js';
import { sessionRoutes } from './routes/session-routes.js';
import { candidateRoutes } from './routes/candidate-routes.js';
import { proctorRoutes } from './routes/proctor-routes.js';
import { publicRoutes } from './routes/public-routes.js';
import { staticRoutes } from './static.js';

/** JSON bodies here are small; chunk uploads get their own limit on their own routes. */
export const MAX_JSON_BODY = 64 * 1024;

export function createApp(services: Services, appDir: string): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });
  app.use('/api/*', bodyLimit({
    maxSize: MAX_JSON_BODY,
    onError: () => { throw new ApiError(413, 'payload_too_large', `bodies are limited to ${MAX_JSON_BODY} bytes`); },
  }));
  app.get('/api/time', (c) => c.json({ now: services.now() }));
  app.route('/api/exams', publicRoutes(services));
  app.route('/api/session', sessionRoutes(services.sessions));
  app.route('/api/candidate', candidateRoutes(services));
  app.route('/api/proctor', proctorRoutes(services));
  app.all('/api/*', () => { throw new ApiError(404, 'not_found', 'no such API endpoint'); });
  app.route('/', staticRoutes(appDir));

  app.notFound((c) => c.json({ code: 'not_found', message: 'not found' }, 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return c.json({ code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) }, err.status);
    }
    console.error(err);
    return c.json({ code: 'internal', message: 'internal error' }, 500);
  });
  return app;
}
