import { Hono } from 'hono';
import { ChatBatch, EventBatch, SERVER_EVENTS } from '../../../src/core/event-schema.js';
import type { Services } from '../../services.js';
import { requireUploadCredential, type UploadEnv } from '../upload-auth.js';
import { jsonBody } from '../validate.js';
import { ApiError } from '../api-error.js';

/**
 * What a candidate's device sends from its outbox: integrity events and help-chat messages,
 * authorised by the device upload credential (valid through hours offline, like the recording).
 */
export function deviceRoutes({ sessions, events, exams, progress }: Services): Hono<UploadEnv> {
  const app = new Hono<UploadEnv>();
  app.use('*', requireUploadCredential(sessions));
  app.post('/events', async (c) => {
    const { exam: examId, sub } = c.get('upload');
    const body = await jsonBody(c, EventBatch);
    const bad = body.events.find((e) => SERVER_EVENTS.has(e.type));
    if (bad) throw new ApiError(400, 'bad_request', `"${bad.type}" events are written by the server only`);
    const fresh = await events.add(examId, sub, body.events);
    // An early end typed offline reaches the server here: it counts from the time it happened.
    const end = fresh.find((e) => e.type === 'ended-early');
    const exam = end ? await exams.get(examId) : null;
    if (end && exam && (await progress.get(examId, sub)).enteredAt !== null) await progress.end(exam, sub, end.at);
    return c.json({ accepted: fresh.length });
  });
  app.post('/chat', async (c) => {
    const { exam, sub } = c.get('upload');
    await events.addChat(exam, sub, 'candidate', (await jsonBody(c, ChatBatch)).messages);
    return c.json({ messages: await events.chat(exam, sub) });
  });
  app.get('/chat', async (c) => {
    const { exam, sub } = c.get('upload');
    return c.json({ messages: await events.chat(exam, sub) });
  });
  return app;
}
