import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { except } from 'hono/combine';
import type { Services } from '../services.js';
import { ApiError } from './api-error.js';
import { sessionRoutes } from './routes/session-routes.js';
import { identityRoutes } from './routes/identity-routes.js';
import { candidateRoutes } from './routes/candidate-routes.js';
import { proctorRoutes } from './routes/proctor-routes.js';
import { publicRoutes } from './routes/public-routes.js';
import { recordingRoutes } from './routes/recording-routes.js';
import { reviewRoutes } from './routes/review-routes.js';
import { deviceRoutes } from './routes/device-routes.js';
import { phoneRoutes } from './routes/phone-routes.js';
import { staticRoutes } from './static.js';
import { securityHeaders } from './security-headers.js';

/** JSON bodies here are small; chunk uploads get their own limit on their own routes. */
export const MAX_JSON_BODY = 64 * 1024;
const CHUNK_PATH = /^\/api\/recordings\/(?:[^/]+\/(?:segments\/[^/]+\/chunks\/[^/]+|chunks)|chunks)$/;
/** The login frame (JPEG, 640 px wide: evidence, and what face match compares). */
export const MAX_CAPTURE_BODY = 512 * 1024;
const CAPTURE_PATHS = new Set(['/api/candidate/login-capture', '/api/device/login-capture']);

/** `sockets`: how many WebSockets this process holds now (for /healthz). */
export function createApp(services: Services, appDir: string, sockets: () => number = () => 0): Hono {
  const app = new Hono();
  app.use('*', securityHeaders());
  // Readiness for a load balancer: 503 while the database or the evidence store cannot be reached.
  app.get('/healthz', async (c) => {
    const health = await services.health();
    c.header('cache-control', 'no-store');
    return c.json({ ...health, sockets: sockets() }, health.ok ? 200 : 503);
  });
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });
  // Whatever a candidate's device changed (events, uploads, documents, lottery, entry…) may
  // change their tile on the proctor's console: tell it (debounced there).
  app.use('/api/*', async (c, next) => {
    await next();
    if (c.req.method === 'GET' || c.res.status >= 400) return;
    const vars = c as unknown as { get(key: string): { role?: string; exam: string; sub: string } | undefined };
    const who = vars.get('auth') ?? vars.get('upload');
    if (who && who.role !== 'proctor') services.changes.emit({ kind: 'candidate', exam: who.exam, candidate: who.sub });
  });
  const jsonLimit = bodyLimit({
    maxSize: MAX_JSON_BODY,
    onError: () => { throw new ApiError(413, 'payload_too_large', `bodies are limited to ${MAX_JSON_BODY} bytes`); },
  });
  const captureLimit = bodyLimit({
    maxSize: MAX_CAPTURE_BODY,
    onError: () => { throw new ApiError(413, 'payload_too_large', `the login capture is limited to ${MAX_CAPTURE_BODY} bytes`); },
  });
  // Chunk bodies have their own, per-exam limit (readBodyLimited; per frame in readFrames).
  app.use('/api/*', except((c) => CHUNK_PATH.test(c.req.path) || CAPTURE_PATHS.has(c.req.path), jsonLimit));
  for (const p of CAPTURE_PATHS) app.use(p, captureLimit);
  app.get('/api/time', (c) => c.json({ now: services.now() }));
  // A browser reports what the CSP blocked; any line here is a bug in the app (or an attack).
  app.post('/api/csp-report', async (c) => {
    services.log(`csp: blocked ${(await c.req.text()).slice(0, 2000)}`);
    return c.body(null, 204);
  });
  // The device check (R1) times an upload of a few dozen KB here to measure the upload rate.
  app.post('/api/probe', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
  app.route('/api/exams', publicRoutes(services));
  app.route('/api/session', sessionRoutes(services.sessions, services.changes));
  app.route('/api/candidate/face-match', identityRoutes(services));
  app.route('/api/candidate', candidateRoutes(services));
  app.route('/api/proctor', proctorRoutes(services));
  app.route('/api/review', reviewRoutes(services));
  app.route('/api/recordings', recordingRoutes(services));
  app.route('/api/device', deviceRoutes(services));
  app.route('/api/phone', phoneRoutes(services));
  app.all('/api/*', () => { throw new ApiError(404, 'not_found', 'no such API endpoint'); });
  app.route('/', staticRoutes(appDir));

  app.notFound((c) => c.json({ code: 'not_found', message: 'not found' }, 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      // Refused before its body was read: close, so a pooled client is not left sending the rest.
      if (err.status === 413) c.header('connection', 'close');
      return c.json({ code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) }, err.status);
    }
    console.error(err);
    return c.json({ code: 'internal', message: 'internal error' }, 500);
  });
  return app;
}
