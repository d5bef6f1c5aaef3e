import { Hono } from 'hono';
import { Id } from '../../../src/core/exam-schema.js';
import { RecordingId, SegmentNo } from '../../../src/core/recording-schema.js';
import { makePlayable, type PlayableWebm } from '../../media/playable-webm.js';
import { WebmError } from '../../media/ebml.js';
import type { Services } from '../../services.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { ApiError, forbidden, notFound } from '../api-error.js';
import { parseWith } from '../validate.js';

/**
 * Recordings for the proctors of a candidate's room (R11, R13): listed with their segments'
 * server-time starts, and each segment served as a playable, seekable webm.
 */
export function reviewRoutes({ sessions, exams, recordings }: Services): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use('*', requireRole(sessions, 'proctor'));

  async function ownerFor(examId: string, proctorId: string, candidateId: string) {
    const exam = await exams.get(examId);
    const proctor = exam?.config.proctors.find((p) => p.id === proctorId);
    const candidate = exam?.config.roster.find((c) => c.id === candidateId);
    if (!exam || !proctor || !candidate) throw notFound('no such candidate in this exam');
    if (!proctor.rooms.includes(candidate.room)) throw forbidden('this candidate is not in your rooms');
    return { exam: examId, candidate: candidateId };
  }

  app.get('/candidates/:candidate/recordings', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    return c.json({ recordings: await recordings.listFor(owner) });
  });

  app.get('/candidates/:candidate/recordings/:id/segments/:segment', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    const id = parseWith(RecordingId, c.req.param('id'), 'recording id');
    const segment = parseWith(SegmentNo, c.req.param('segment'), 'segment');
    const { bytes, complete } = await recordings.segmentBytes(owner, id, segment);
    const playable = playableOr422(bytes);
    return c.body(Buffer.from(playable.bytes), 200, {
      'content-type': 'video/webm',
      'cache-control': 'private, no-store',
      'x-invigil-duration-ms': String(Math.round(playable.durationMs)),
      'x-invigil-verified': String(complete),
    });
  });
  return app;
}

function playableOr422(bytes: Uint8Array): PlayableWebm {
  try {
    return makePlayable(bytes);
  } catch (err) {
    if (err instanceof WebmError) throw new ApiError(422, 'not_webm', `the stored segment is not playable WebM: ${err.message}`);
    throw err;
  }
}
