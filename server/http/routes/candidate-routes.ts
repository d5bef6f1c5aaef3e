import { Hono } from 'hono';
import { AcceptRequest, type CandidateMe } from '../../../src/core/api-schema.js';
import type { Services } from '../../services.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { ApiError, notFound } from '../api-error.js';
import { jsonBody } from '../validate.js';
import { examSummary, existingExam } from './exam-summary.js';
import { storeLoginCapture } from '../../domain/login-captures.js';

/** What a signed-in candidate reads and does: their own records only (invariant 6). */
export function candidateRoutes(services: Services): Hono<AuthEnv> {
  const { sessions, exams, lottery, progress, questions, now } = services;
  const app = new Hono<AuthEnv>();
  app.use('*', requireRole(sessions, 'candidate'));
  const examOf = (examId: string) => existingExam(exams, examId);
  app.get('/me', async (c) => {
    const { exam: examId, sub } = c.get('auth');
    const exam = await examOf(examId);
    const candidate = exam.config.roster.find((x) => x.id === sub);
    if (!candidate) throw notFound('this candidate is no longer in the exam roster');
    const room = exam.config.rooms.find((r) => r.id === candidate.room);
    const me: CandidateMe = {
      candidate: { id: candidate.id, name: candidate.name, room: candidate.room, roomName: room?.name ?? candidate.room },
      exam: examSummary(exam),
      lottery: await lottery.get(examId, sub),
      progress: await progress.get(examId, sub),
      accepted: await progress.accepted(examId, sub),
      documents: exam.config.attachments,
      questionRelease: exam.config.questionRelease,
      face: { monitorFps: exam.config.face.monitorFps, match: await services.identity.state(exam, sub) },
      recording: exam.config.recording,
      iceServers: exam.config.iceServers,
      iceTransportPolicy: exam.config.iceTransportPolicy,
      serverNow: now(),
    };
    return c.json(me);
  });
  /** R4: a new one-time code for binding the evidence phone (the QR code holds it). */
  app.post('/binding-code', async (c) => {
    const { exam, sub } = c.get('auth');
    return c.json(await services.phones.issueCode(exam, sub));
  });
  /** R4: the bound phone as the laptop shows it (null before one is bound). */
  app.get('/phone', async (c) => {
    const { exam, sub } = c.get('auth');
    return c.json({ phone: await services.phones.status(exam, sub) });
  });
  app.post('/lottery/draw', async (c) => {
    const { exam, sub } = c.get('auth');
    return c.json(await lottery.draw(exam, sub));
  });
  app.post('/accept', async (c) => {
    const { exam, sub } = c.get('auth');
    const body = await jsonBody(c, AcceptRequest);
    return c.json(await progress.accept(exam, sub, body.document));
  });
  app.post('/enter', async (c) => {
    const { exam, sub } = c.get('auth');
    return c.json(await progress.enter(await examOf(exam), sub));
  });
  app.post('/end', async (c) => {
    const { exam, sub } = c.get('auth');
    return c.json(await progress.end(await examOf(exam), sub));
  });
  /** The login frame (R2) from older app versions; the app now sends it from its outbox (/api/device/login-capture). */
  app.post('/login-capture', async (c) => {
    const { exam, sub } = c.get('auth');
    if (!/^image\/jpeg\b/i.test(c.req.header('content-type') ?? '')) throw new ApiError(415, 'unsupported_media_type', 'send the capture as image/jpeg');
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const faceCheck = c.req.query('faceCheck') === 'passed' ? 'passed' : 'manual';
    return c.json({ sha256: await storeLoginCapture(services, await examOf(exam), sub, { bytes, faceCheck, at: now() }) }, 201);
  });
  const entered = async (examId: string, sub: string) => {
    if ((await progress.get(examId, sub)).enteredAt === null) throw new ApiError(403, 'not_entered', 'questions are delivered at entry');
    return examOf(examId);
  };
  app.get('/questions', async (c) => {
    const { exam, sub } = c.get('auth');
    return c.json(questions.sealed(await entered(exam, sub)));
  });
  app.get('/questions/key', async (c) => {
    const { exam, sub } = c.get('auth');
    return c.json({ key: questions.releasedKey(await entered(exam, sub)) });
  });
  return app;
}
