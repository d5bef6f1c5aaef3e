import { Hono } from 'hono';
import { BindRequest, PhoneReport, type PhoneMe, type PhoneStatusReply } from '../../../src/core/evidence-phone.js';
import type { Services } from '../../services.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { clientAddress } from '../client-address.js';
import { notFound } from '../api-error.js';
import { jsonBody } from '../validate.js';
import { examSummary, existingExam } from './exam-summary.js';
import { PHONE_UPLOAD_LIMIT_MINUTES } from '../../domain/evidence-phones.js';


/**
 * The evidence phone (R4, docs/api.md "Evidence phone"): binding by a one-time code (no login),
 * then, with the phone's own session, whose evidence it records and its status reports.
 */
export function phoneRoutes(services: Services): Hono<AuthEnv> {
  const { sessions, exams, phones, progress, now } = services;
  const app = new Hono<AuthEnv>();
  app.post('/bind', async (c) => {
    const body = await jsonBody(c, BindRequest);
    return c.json(await phones.bind(body.code, body.deviceId, clientAddress(c)));
  });
  app.use('/me', requireRole(sessions, 'phone'));
  app.use('/status', requireRole(sessions, 'phone'));
  app.get('/me', async (c) => {
    const { exam: examId, sub } = c.get('auth');
    const exam = await existingExam(exams, examId);
    const candidate = exam.config.roster.find((x) => x.id === sub);
    if (!candidate) throw notFound('this candidate is no longer in the exam roster');
    const me: PhoneMe = {
      exam: examSummary(exam),
      candidate: { id: candidate.id, name: candidate.name },
      progress: await progress.get(examId, sub),
      recording: exam.config.recording,
      uploadLimitMinutes: PHONE_UPLOAD_LIMIT_MINUTES,
      iceServers: exam.config.iceServers,
      iceTransportPolicy: exam.config.iceTransportPolicy,
      serverNow: now(),
    };
    return c.json(me);
  });
  app.post('/status', async (c) => {
    const { exam, sub, sid } = c.get('auth');
    const report = await jsonBody(c, PhoneReport);
    const device = await sessions.deviceOf(sid);
    await phones.report(exam, sub, device, report);
    const reply: PhoneStatusReply = { progress: await progress.get(exam, sub), serverNow: now() };
    return c.json(reply);
  });
  return app;
}
