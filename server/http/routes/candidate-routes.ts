import { Hono } from 'hono';
import type { CandidateMe } from '../../../src/core/api-schema.js';
import type { Services } from '../../services.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { notFound } from '../api-error.js';
import { examSummary } from './exam-summary.js';

/** What a signed-in candidate reads and does: their own records only (invariant 6). */
export function candidateRoutes({ sessions, exams, lottery, progress, now }: Services): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use('*', requireRole(sessions, 'candidate'));
  app.get('/me', async (c) => {
    const { exam: examId, sub } = c.get('auth');
    const exam = await exams.get(examId);
    const candidate = exam?.config.roster.find((x) => x.id === sub);
    if (!exam || !candidate) throw notFound('this candidate is no longer in the exam roster');
    const room = exam.config.rooms.find((r) => r.id === candidate.room);
    const me: CandidateMe = {
      candidate: { id: candidate.id, name: candidate.name, room: candidate.room, roomName: room?.name ?? candidate.room },
      exam: examSummary(exam),
      lottery: await lottery.get(examId, sub),
      progress: await progress.get(examId, sub),
      recording: exam.config.recording,
      serverNow: now(),
    };
    return c.json(me);
  });
  app.post('/lottery/draw', async (c) => {
    const { exam, sub } = c.get('auth');
    return c.json(await lottery.draw(exam, sub));
  });
  return app;
}
