import { Hono } from 'hono';
import type { Services } from '../../services.js';
import { examSummary } from './exam-summary.js';

/** Exams that have not ended: titles, times and help lines only (the login page shows them). */
export function publicRoutes({ exams, now }: Services): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const list = [];
    for (const id of await exams.ids()) {
      const exam = await exams.get(id);
      if (exam && now() < exam.times.endAt) list.push(examSummary(exam));
    }
    return c.json({ exams: list });
  });
  return app;
}
