import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import type { ProctorRoster } from '../../../src/core/api-schema.js';
import { ChatBatch } from '../../../src/core/event-schema.js';
import { Id } from '../../../src/core/exam-schema.js';
import { ConfirmIdentityRequest, EndForCauseRequest, ExtraTimeRequest, WarningRequest, type ProctorRoom } from '../../../src/core/room-schema.js';
import type { Actor } from '../../domain/proctor-actions.js';
import type { Services } from '../../services.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { forbidden, notFound } from '../api-error.js';
import { jsonBody, parseWith } from '../validate.js';
import { examSummary } from './exam-summary.js';

/** A proctor sees only the rooms assigned to them (invariant 6). */
export function proctorRoutes(services: Services): Hono<AuthEnv> {
  const { sessions, exams, lottery, recordings, events, roomView, actions } = services;
  const app = new Hono<AuthEnv>();
  app.use('*', requireRole(sessions, 'proctor'));
  const mine = async (c: Context<AuthEnv>) => {
    const { exam: examId, sub } = c.get('auth');
    const exam = await exams.get(examId);
    const proctor = exam?.config.proctors.find((p) => p.id === sub);
    if (!exam || !proctor) throw notFound('this proctor is no longer in the exam');
    return { exam, proctor };
  };
  app.get('/roster', async (c) => {
    const { exam, proctor } = await mine(c);
    const examId = exam.config.id;
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
  /** The live console's first picture: every candidate of the proctor's rooms as a tile (then pushed over /ws). */
  app.get('/room', async (c) => {
    const { exam, proctor } = await mine(c);
    const candidates = exam.config.roster.filter((x) => proctor.rooms.includes(x.room));
    const room: ProctorRoom = {
      proctor: { id: proctor.id, name: proctor.name },
      exam: examSummary(exam),
      rooms: exam.config.rooms.filter((r) => proctor.rooms.includes(r.id)),
      candidates: await Promise.all(candidates.map((x) => roomView.tile(exam, x.id, proctor.id))),
      iceServers: exam.config.iceServers,
      iceTransportPolicy: exam.config.iceTransportPolicy,
      serverNow: services.now(),
    };
    return c.json(room);
  });
  /** One candidate of the proctor's rooms, or 403. */
  const actor = async (c: Context<AuthEnv>): Promise<Actor> => {
    const { exam, proctor } = await mine(c);
    const candidateId = parseWith(Id, c.req.param('candidate'), 'candidate id');
    const candidate = exam.config.roster.find((x) => x.id === candidateId);
    if (!candidate || !proctor.rooms.includes(candidate.room)) throw forbidden('this candidate is not in your rooms');
    return { exam, candidate: candidateId, proctor: proctor.id };
  };
  app.get('/candidates/:candidate', async (c) => {
    const a = await actor(c);
    return c.json(await roomView.detail(a.exam, a.candidate, a.proctor));
  });
  /** A proctor action on one candidate: its body validated, done, and the candidate's detail returned. */
  const action = <T extends z.ZodType>(name: string, schema: T, run: (a: Actor, body: z.infer<T>) => Promise<void>) =>
    app.post(`/candidates/:candidate/${name}`, async (c) => {
      const a = await actor(c);
      await run(a, await jsonBody(c, schema));
      return c.json(await roomView.detail(a.exam, a.candidate, a.proctor));
    });
  action('identity-confirm', ConfirmIdentityRequest, (a, b) => actions.confirmIdentity(a, b.note));
  action('warning', WarningRequest, (a, b) => actions.warn(a, b.text));
  action('extra-time', ExtraTimeRequest, (a, b) => actions.extraTime(a, b.minutes, b.reason));
  action('end', EndForCauseRequest, (a, b) => actions.endForCause(a, b.reason));
  app.post('/candidates/:candidate/chat-read', async (c) => {
    await actions.readChat(await actor(c));
    return c.body(null, 204);
  });
  /** The help chat with one candidate of the proctor's rooms. */
  app.get('/chat/:candidate', async (c) => {
    const a = await actor(c);
    return c.json({ messages: await events.chat(a.exam.config.id, a.candidate) });
  });
  app.post('/chat/:candidate', async (c) => {
    const a = await actor(c);
    await events.addChat(a.exam.config.id, a.candidate, 'proctor', (await jsonBody(c, ChatBatch)).messages);
    // Replying reads what came before.
    await actions.readChat(a);
    return c.json({ messages: await events.chat(a.exam.config.id, a.candidate) });
  });
  return app;
}
