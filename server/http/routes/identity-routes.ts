import { Hono } from 'hono';
import { FaceConsentRequest, FaceMatchReport } from '../../../src/core/api-schema.js';
import type { Services } from '../../services.js';
import { PHOTO_TYPES, photoKey } from '../../domain/identity.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { ApiError } from '../api-error.js';
import { jsonBody } from '../validate.js';
import { existingExam } from './exam-summary.js';

/**
 * Face match at login (R2), for the signed-in candidate: consent (or its refusal, which records
 * the non-face path), the roster's reference photo (only after consent), and the device's outcome.
 */
export function identityRoutes(services: Services): Hono<AuthEnv> {
  const { sessions, exams, identity, blobs } = services;
  const app = new Hono<AuthEnv>();
  app.use('*', requireRole(sessions, 'candidate'));
  const examOf = (examId: string) => existingExam(exams, examId);
  app.post('/consent', async (c) => {
    const { exam, sub } = c.get('auth');
    const body = await jsonBody(c, FaceConsentRequest);
    return c.json(await identity.consent(await examOf(exam), sub, body.consent));
  });
  app.get('/reference', async (c) => {
    const { exam: examId, sub } = c.get('auth');
    const exam = await examOf(examId);
    await identity.requireConsent(exam, sub);
    const photo = exam.config.roster.find((x) => x.id === sub)?.photo;
    const key = photo ? photoKey(examId, sub, photo) : null;
    const stream = key ? await blobs.read(key) : null;
    if (!key || !stream) throw new ApiError(404, 'no_reference_photo', 'the roster has no reference photo for this candidate');
    const parts: Uint8Array[] = [];
    for await (const part of stream) parts.push(part);
    const type = PHOTO_TYPES[key.slice(key.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    return c.body(Buffer.concat(parts), 200, { 'content-type': type, 'cache-control': 'private, no-store' });
  });
  app.post('/result', async (c) => {
    const { exam, sub } = c.get('auth');
    const body = await jsonBody(c, FaceMatchReport);
    return c.json(await identity.report(await examOf(exam), sub, body));
  });
  return app;
}
