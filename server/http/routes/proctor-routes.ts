import { Hono } from 'hono';
import type { ProctorRoster } from '../../../src/core/api-schema.js';
import { ChatBatch } from '../../../src/core/event-schema.js';
import { Id } from '../../../src/core/exam-schema.js';
import type { Services } from '../../services.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { forbidden, notFound } from '../api-error.js';
import { jsonBody, parseWith } from '../validate.js';
import { examSummary } from './exam-summary.js';

/** A proctor sees only the rooms assigned to them (invariant 6). */
export function proctorRoutes({ sessions, exams, lottery, recordings, events }: Services): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use('*', requireRole(sessions, 'proctor'));
  app.get('/roster', async (c) => {
    const { exam: examId, sub } = c.get('auth');
    const exam = await exams.get(examId);
    const proctor = exam?.config.proctors.find((p) => p.id === sub);
    if (!exam || !proctor) throw notFound('this proctor is no longer in the exam');
    const uploads = await recordings.summary(examId);
    const rooms = await Promise.all(exam.config.rooms.filter((r) => proctor.rooms.includes(r.id)).map(async (room) => ({
      id: room.id,
      name: room.name,
      candidates: await Promise.all(exam.config.roster.filter((x) => x.room === room.id).map(async (x) => ({
        id: x.id, name: x.name,
        loggedIn: await sessions.isLoggedIn(examId, x.id),
        lottery: await lottery.get(examId, x.id),
        uploads: uploads.get(x.id) ?? { recordings: 0, verified: 0, bytes: 0, problem: null },
      }))),
    })));
    const roster: ProctorRoster = { proctor: { id: proctor.id, name: proctor.name }, exam: examSummary(exam), rooms };
    return c.json(roster);
  });
  /** The help chat with one candidate of the proctor's rooms (the console comes later). */
  const candidateOf = async (c: { get(k: 'auth'): { exam: string; sub: string } }, raw: string | undefined) => {
    const { exam: examId, sub } = c.get('auth');
    const candidateId = parseWith(Id, raw, 'candidate id');
    const exam = await exams.get(examId);
    const proctor = exam?.config.proctors.find((p) => p.id === sub);
    const candidate = exam?.config.roster.find((x) => x.id === candidateId);
    if (!proctor || !candidate || !proctor.rooms.includes(candidate.room)) throw forbidden('this candidate is not in your rooms');
    return { examId, candidateId };
  };
  app.get('/chat/:candidate', async (c) => {
    const { examId, candidateId } = await candidateOf(c, c.req.param('candidate'));
    return c.json({ messages: await events.chat(examId, candidateId) });
  });
  app.post('/chat/:candidate', async (c) => {
    const { examId, candidateId } = await candidateOf(c, c.req.param('candidate'));
    await events.addChat(examId, candidateId, 'proctor', (await jsonBody(c, ChatBatch)).messages);
    return c.json({ messages: await events.chat(examId, candidateId) });
  });
  return app;
}
