import { Hono } from 'hono';
import { ChatBatch, EventBatch, PHONE_EVENTS, RECORDING_PROBLEM_EVENTS, SERVER_EVENTS } from '../../../src/core/event-schema.js';
import type { Services } from '../../services.js';
import { requireUploadCredential, type UploadEnv } from '../upload-auth.js';
import { jsonBody } from '../validate.js';
import { ApiError } from '../api-error.js';
import { existingExam } from './exam-summary.js';
import { storeLoginCapture } from '../../domain/login-captures.js';

/**
 * What a candidate's device sends from its outbox: integrity events and help-chat messages,
 * authorised by the device upload credential (valid through hours offline, like the recording).
 * Only the candidate's current device speaks for them (docs/api.md, "Which device speaks"):
 * after a takeover or logout the old device may report problems of its own recordings, no more.
 */
export function deviceRoutes(services: Services): Hono<UploadEnv> {
  const { sessions, events, exams, progress, quotas } = services;
  const app = new Hono<UploadEnv>();
  app.use('*', requireUploadCredential(sessions));
  const requireCurrent = async (c: { get(k: 'upload'): Parameters<typeof sessions.isCurrentDevice>[0] }) => {
    if (c.get('upload').scope === 'evidence') throw new ApiError(403, 'out_of_scope', "a phone's credential posts only its own evidence events");
    if (!(await sessions.isCurrentDevice(c.get('upload')))) throw notCurrent();
  };
  app.post('/events', async (c) => {
    const { exam: examId, sub } = c.get('upload');
    const body = await jsonBody(c, EventBatch);
    const bad = body.events.find((e) => SERVER_EVENTS.has(e.type));
    if (bad) throw new ApiError(400, 'bad_request', `"${bad.type}" events are written by the server only`);
    const upload = c.get('upload');
    if (upload.scope === 'evidence') {
      // A phone: its own scan, page and camera events, stored as the phone's; a replaced phone only its recording problems.
      const outside = body.events.find((e) => !PHONE_EVENTS.has(e.type));
      if (outside) throw new ApiError(403, 'out_of_scope', `a phone does not post "${outside.type}" events`);
      if (upload.retiredAt !== null && !body.events.every((e) => RECORDING_PROBLEM_EVENTS.has(e.type))) throw notCurrent();
      const exam = await existingExam(exams, examId);
      await quotas.eventsIn(exam, sub, body.events.length, 'events');
      const fresh = await events.add(examId, sub, body.events.map((e) => ({ ...e, detail: { ...e.detail, source: 'phone' } })));
      return c.json({ accepted: fresh.length });
    }
    if (!body.events.every((e) => RECORDING_PROBLEM_EVENTS.has(e.type))) await requireCurrent(c);
    const exam = await existingExam(exams, examId);
    await quotas.eventsIn(exam, sub, body.events.length, 'events');
    const fresh = await events.add(examId, sub, body.events);
    // An early end typed offline reaches the server here: it counts from the time it happened.
    const end = fresh.find((e) => e.type === 'ended-early');
    if (end && (await progress.get(examId, sub)).enteredAt !== null) await progress.end(exam, sub, end.at);
    return c.json({ accepted: fresh.length });
  });
  app.post('/chat', async (c) => {
    const { exam: examId, sub } = c.get('upload');
    await requireCurrent(c);
    const { messages } = await jsonBody(c, ChatBatch);
    await quotas.eventsIn(await existingExam(exams, examId), sub, messages.length, 'chat');
    await events.addChat(examId, sub, 'candidate', messages);
    return c.json({ messages: await events.chat(examId, sub) });
  });
  /** The login frame (R2) from the device's outbox: `?faceCheck=passed|manual&at=<server ms>`. */
  app.post('/login-capture', async (c) => {
    const { exam: examId, sub } = c.get('upload');
    await requireCurrent(c);
    if (!/^image\/jpeg\b/i.test(c.req.header('content-type') ?? '')) throw new ApiError(415, 'unsupported_media_type', 'send the capture as image/jpeg');
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const faceCheck = c.req.query('faceCheck') === 'passed' ? 'passed' : 'manual';
    const at = Number(c.req.query('at'));
    const sha = await storeLoginCapture(services, await existingExam(exams, examId), sub, {
      bytes, faceCheck, at: Number.isSafeInteger(at) && at > 0 ? Math.min(at, services.now()) : services.now(),
    });
    return c.json({ sha256: sha }, 201);
  });
  app.get('/chat', async (c) => {
    const { exam, sub } = c.get('upload');
    await requireCurrent(c);
    return c.json({ messages: await events.chat(exam, sub) });
  });
  return app;
}

function notCurrent(): ApiError {
  return new ApiError(403, 'device_not_current', 'this device no longer speaks for the candidate (signed in elsewhere, or signed out); it still uploads its own recordings');
}
