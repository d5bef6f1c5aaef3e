import { Hono } from 'hono';
import { z } from 'zod';
import { Id } from '../../../src/core/exam-schema.js';
import { RecordingId, SegmentNo } from '../../../src/core/recording-schema.js';
import { indexWebm, playableLayout, readPlayable, type PlayableWebm } from '../../media/playable-webm.js';
import type { ByteSource } from '../../media/byte-source.js';
import { parseRange, pullStream } from '../byte-range.js';
import { WebmError } from '../../media/ebml.js';
import type { Services } from '../../services.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { ApiError, forbidden, notFound } from '../api-error.js';
import { jsonBody, parseWith } from '../validate.js';

/**
 * Recordings for the proctors of a candidate's room (R11, R13): listed with their segments'
 * server-time starts, and each segment served as a playable, seekable webm.
 */
export function reviewRoutes({ sessions, exams, recordings, access, retention }: Services): Hono<AuthEnv> {
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
    const list = await recordings.listFor(owner);
    await access.viewed(exam, owner.candidate, { role: 'proctor', id: sub }, 'recordings');
    return c.json({ recordings: list });
  });

  /** Keeps this candidate's evidence past the exam's retention (an incident under review), with a reason; released by DELETE. */
  app.put('/candidates/:candidate/hold', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    const { reason } = await jsonBody(c, HoldRequest);
    await retention.hold(exam, owner.candidate, sub, reason);
    return c.json({ holds: (await retention.holds(exam)).filter((h) => h.candidate === owner.candidate) });
  });
  app.delete('/candidates/:candidate/hold', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    await retention.release(exam, owner.candidate);
    return c.body(null, 204);
  });

  /** Who viewed this candidate's evidence, and when (itself not logged: it shows no evidence). */
  app.get('/candidates/:candidate/access-log', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    return c.json({ entries: await access.list(exam, owner.candidate) });
  });

  // The index of a segment (found in one pass over its stored chunks) is kept for the next
  // request of the same bytes: a player asks for many ranges of one file.
  const layouts = new Map<string, Promise<PlayableWebm>>();
  const layoutOf = (tag: string, source: ByteSource) => {
    let hit = layouts.get(tag);
    if (hit) layouts.delete(tag);
    else hit = indexWebm(source).then(playableLayout);
    layouts.set(tag, hit);
    hit.catch(() => layouts.delete(tag));
    const oldest = layouts.keys().next();
    if (layouts.size > LAYOUTS_KEPT && !oldest.done) layouts.delete(oldest.value);
    return hit;
  };

  /**
   * A segment as a playable, seekable webm, streamed from the store with HTTP ranges (206,
   * `Accept-Ranges`, a strong `ETag`): only the rewritten head is made in memory.
   */
  app.get('/candidates/:candidate/recordings/:id/segments/:segment', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    const id = parseWith(RecordingId, c.req.param('id'), 'recording id');
    const segment = parseWith(SegmentNo, c.req.param('segment'), 'segment');
    const { source, tag, complete } = await recordings.segmentSource(owner, id, segment);
    const webm = await playableOr422(layoutOf(tag, source));
    const etag = `"${tag}"`;
    const headers: Record<string, string> = {
      'content-type': 'video/webm',
      'cache-control': 'private, no-store',
      'accept-ranges': 'bytes',
      etag,
      'x-invigil-duration-ms': String(Math.round(webm.durationMs)),
      'x-invigil-verified': String(complete),
    };
    if (c.req.header('if-none-match')?.split(',').some((t) => t.trim() === etag)) return c.body(null, 304, headers);
    // If-Range names the version the client holds: a range of another version would mix two files.
    const ifRange = c.req.header('if-range');
    const ask = ifRange === undefined || ifRange === etag ? parseRange(c.req.header('range'), webm.size) : null;
    if (ask === 'unsatisfiable') {
      throw new ApiError(416, 'range_not_satisfiable', `this segment has ${webm.size} bytes`, undefined, { 'content-range': `bytes */${webm.size}` });
    }
    const { start, end } = ask ?? { start: 0, end: webm.size };
    await access.viewed(exam, owner.candidate, { role: 'proctor', id: sub }, `recording ${id} segment ${segment}`);
    const body = pullStream(readPlayable(webm, source, start, end));
    headers['content-length'] = String(end - start);
    if (ask) headers['content-range'] = `bytes ${start}-${end - 1}/${webm.size}`;
    return c.body(body, ask ? 206 : 200, headers);
  });
  return app;
}

const LAYOUTS_KEPT = 64;
const HoldRequest = z.object({ reason: z.string().trim().min(1).max(500) });

async function playableOr422(layout: Promise<PlayableWebm>): Promise<PlayableWebm> {
  try {
    return await layout;
  } catch (err) {
    if (err instanceof WebmError) throw new ApiError(422, 'not_webm', `the stored segment is not playable WebM: ${err.message}`);
    throw err;
  }
}
