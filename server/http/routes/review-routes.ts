import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { Id } from '../../../src/core/exam-schema.js';
import { RecordingId, SegmentNo } from '../../../src/core/recording-schema.js';
import { readPlayable, type PlayableWebm } from '../../media/playable-webm.js';
import { CandidateDecisionRequest, FlagDecisionRequest, type ReviewCase, type ReviewList, type ReviewRecording } from '../../../src/core/review-schema.js';
import { reviewRow } from '../../domain/review.js';
import { examSummary } from './exam-summary.js';
import { parseRange, pullStream } from '../byte-range.js';
import { WebmError } from '../../media/ebml.js';
import type { Services } from '../../services.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { ApiError, forbidden, notFound } from '../api-error.js';
import { jsonBody, parseWith } from '../validate.js';

/**
 * Review (R13) for the proctors of a candidate's room and the exam's reviewers (every room): the
 * list by what needs a person most, one candidate's case on a server-time line, the judgements,
 * and each segment served as a playable, seekable webm. Every view of evidence is logged.
 */
interface ReviewEnv { Variables: AuthEnv['Variables'] & { mediaFor?: string } }
const SEGMENT_PATH = /\/candidates\/[^/]+\/recordings\/[^/]+\/segments\/[^/]+$/;

export function reviewRoutes(services: Services): Hono<ReviewEnv> {
  const { sessions, exams, recordings, access, retention, roomView, review, signer, layouts } = services;
  const app = new Hono<ReviewEnv>();
  const proctorOnly = requireRole<ReviewEnv>(sessions, 'proctor');
  // A player's segment requests carry a media ticket in the URL instead (a <video> sends no header).
  const ticketOrSession: MiddlewareHandler<ReviewEnv> = async (c, next) => {
    const ticket = c.req.query('ticket');
    if (ticket === undefined || c.req.method !== 'GET' || !SEGMENT_PATH.test(c.req.path)) return proctorOnly(c, next);
    const m = await sessions.authenticateMedia(ticket);
    c.set('auth', { typ: 'access', role: 'proctor', sub: m.sub, exam: m.exam, sid: m.sid });
    c.set('mediaFor', m.cand);
    await next();
  };
  app.use('*', ticketOrSession);

  async function reviewerOf(examId: string, proctorId: string) {
    const exam = await exams.get(examId);
    const proctor = exam?.config.proctors.find((p) => p.id === proctorId);
    if (!exam || !proctor) throw notFound('this proctor is no longer in the exam');
    const sees = (room: string) => proctor.role === 'reviewer' || proctor.rooms.includes(room);
    return { exam, proctor, sees };
  }

  async function ownerFor(examId: string, proctorId: string, candidateId: string) {
    const { exam, proctor, sees } = await reviewerOf(examId, proctorId);
    const candidate = exam.config.roster.find((c) => c.id === candidateId);
    if (!candidate) throw notFound('no such candidate in this exam');
    if (!sees(candidate.room)) throw forbidden('this candidate is not in your rooms');
    return { exam: examId, candidate: candidateId, stored: exam, person: candidate, viewer: { role: proctor.role, id: proctor.id } };
  }

  /** Every candidate this person may review, each with what needs a person, sorted by it. */
  app.get('/candidates', async (c) => {
    const { exam: examId, sub } = c.get('auth');
    const { exam, proctor, sees } = await reviewerOf(examId, sub);
    const rows = await Promise.all(exam.config.roster.filter((x) => sees(x.room)).map(async (x) =>
      reviewRow(await roomView.detail(exam, x.id, sub), await review.list(examId, x.id))));
    rows.sort((a, b) => b.priority - a.priority || a.room.localeCompare(b.room) || (a.number ?? Infinity) - (b.number ?? Infinity) || a.id.localeCompare(b.id));
    const list: ReviewList = {
      reviewer: { id: proctor.id, name: proctor.name, role: proctor.role },
      exam: examSummary(exam),
      rooms: exam.config.rooms.filter((r) => sees(r.id)),
      candidates: rows,
    };
    return c.json(list);
  });

  /** One candidate's case: events, chat, outages, actions, decisions and each recording's segments placed in server time. */
  app.get('/candidates/:candidate/case', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    const detail = await roomView.detail(owner.stored, owner.candidate, sub);
    const decisions = await review.list(exam, owner.candidate);
    const held = await recordings.listFor(owner);
    const heads = await recordings.chainHeads(owner);
    const placed: ReviewRecording[] = await Promise.all(held.map(async (r) => ({
      id: r.id, kind: r.kind, verifiedAt: r.verifiedAt, chainHead: heads.get(r.id) ?? null, bytes: r.bytes,
      segments: (await Promise.all(r.segments.map(async (s) => ({ segment: s.segment, startedAt: s.startedAt, durationMs: await durationOf(owner, r.id, s.segment) }))))
        .filter((s): s is { segment: number; startedAt: number | null; durationMs: number } => s.durationMs !== null),
    })));
    const candidate = owner.person;
    const body: ReviewCase = {
      exam: examSummary(owner.stored),
      candidate: { id: candidate.id, name: candidate.name, room: candidate.room },
      row: reviewRow(detail, decisions),
      progress: detail.tile.progress,
      lottery: detail.lottery, events: detail.events, chat: detail.chat, outages: detail.outages, actions: detail.actions,
      recordings: placed, decisions,
    };
    // The incident report reads the same case: its view is logged as the report's.
    await access.viewed(exam, owner.candidate, owner.viewer, c.req.query('for') === 'report' ? 'report' : 'case');
    return c.json(body);
  });

  /** A segment's length from its index (cached for the player's ranges); null when nothing of it is playable. */
  async function durationOf(owner: { exam: string; candidate: string }, id: string, segment: number): Promise<number | null> {
    try {
      const { source, tag, index } = await recordings.segmentSource(owner, id, segment);
      return Math.round((await layouts.get(tag, source, index)).durationMs);
    } catch {
      return null;
    }
  }

  /** A ticket for the review player to read this candidate's segments by URL (R13), for a few hours of this session. */
  app.post('/candidates/:candidate/media-ticket', async (c) => {
    const { exam, sub, sid } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    return c.json(await signer.signMedia({ sub, exam, sid, cand: owner.candidate }));
  });

  app.post('/candidates/:candidate/flags/:flag', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    const flag = parseWith(z.string().min(1).max(200), c.req.param('flag'), 'flag id');
    const { verdict, note } = await jsonBody(c, FlagDecisionRequest);
    const detail = await roomView.detail(owner.stored, owner.candidate, sub);
    await review.judgeFlag(exam, owner.candidate, detail, flag, verdict, note, sub);
    return c.json(await judged(exam, owner.candidate, detail));
  });

  app.post('/candidates/:candidate/decision', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    const { state, reason } = await jsonBody(c, CandidateDecisionRequest);
    await review.decide(exam, owner.candidate, state, reason, sub);
    return c.json(await judged(exam, owner.candidate, await roomView.detail(owner.stored, owner.candidate, sub)));
  });

  /** After a judgement: every decision, and the candidate's row as it now stands (the page needs nothing else re-read). */
  async function judged(exam: string, candidate: string, detail: Parameters<typeof reviewRow>[0]) {
    const decisions = await review.list(exam, candidate);
    return { decisions, row: reviewRow(detail, decisions) };
  }

  app.get('/candidates/:candidate/recordings', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    const list = await recordings.listFor(owner);
    await access.viewed(exam, owner.candidate, owner.viewer, 'recordings');
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

  /**
   * A segment as a playable, seekable webm, streamed from the store with HTTP ranges (206,
   * `Accept-Ranges`, a strong `ETag`): only the rewritten head is made in memory.
   */
  app.get('/candidates/:candidate/recordings/:id/segments/:segment', async (c) => {
    const { exam, sub } = c.get('auth');
    const owner = await ownerFor(exam, sub, parseWith(Id, c.req.param('candidate'), 'candidate id'));
    const ticketFor = c.get('mediaFor');
    if (ticketFor !== undefined && ticketFor !== owner.candidate) throw forbidden('this media ticket is for another candidate');
    const id = parseWith(RecordingId, c.req.param('id'), 'recording id');
    const segment = parseWith(SegmentNo, c.req.param('segment'), 'segment');
    const { source, ranged, tag, complete, index } = await recordings.segmentSource(owner, id, segment);
    const webm = await playableOr422(layouts.get(tag, source, index));
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
    await access.viewed(exam, owner.candidate, owner.viewer, `recording ${id} segment ${segment}`);
    const body = pullStream(readPlayable(webm, ranged, start, end));
    headers['content-length'] = String(end - start);
    if (ask) headers['content-range'] = `bytes ${start}-${end - 1}/${webm.size}`;
    return c.body(body, ask ? 206 : 200, headers);
  });
  return app;
}

const HoldRequest = z.object({ reason: z.string().trim().min(1).max(500) });

async function playableOr422(layout: Promise<PlayableWebm>): Promise<PlayableWebm> {
  try {
    return await layout;
  } catch (err) {
    if (err instanceof WebmError) throw new ApiError(422, 'not_webm', `the stored segment is not playable WebM: ${err.message}`);
    throw err;
  }
}
