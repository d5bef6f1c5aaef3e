import { Hono } from 'hono';
import { parseContentDigest } from '../../../src/core/hash-chain.js';
import { ChunkSeq, CompleteRecording, CreateRecording, CreateSegment, ProblemReport, RecordingId, SegmentNo } from '../../../src/core/recording-schema.js';
import type { Services } from '../../services.js';
import type { Owner } from '../../domain/recordings.js';
import { ApiError } from '../api-error.js';
import { existingExam } from './exam-summary.js';
import { readBodyLimited } from '../read-body.js';
import { requireUploadCredential, type UploadEnv } from '../upload-auth.js';
import type { UploadAuth } from '../../domain/sessions.js';
import { jsonBody, parseWith } from '../validate.js';

/**
 * Chunk uploads (docs/api.md, Uploads), authorised by the device upload credential only. A
 * credential adds only to recordings its own device created, so a device that was taken over
 * still uploads what it recorded — and nothing else. A phone's credential (scope `evidence`)
 * creates only evidence recordings.
 */
export function recordingRoutes({ sessions, recordings, exams, quotas, indexer }: Services): Hono<UploadEnv> {
  const app = new Hono<UploadEnv>();
  app.use('*', requireUploadCredential(sessions));
  const owner = (c: { get(k: 'upload'): UploadAuth }): Owner => {
    const u = c.get('upload');
    return { exam: u.exam, candidate: u.sub, device: u.dev };
  };
  const id = (raw: string | undefined) => parseWith(RecordingId, raw, 'recording id');

  app.put('/:id', async (c) => {
    const body = await jsonBody(c, CreateRecording);
    const o = owner(c);
    const recordingId = id(c.req.param('id'));
    const upload = c.get('upload');
    if (upload.scope === 'evidence' && body.kind !== 'evidence') throw outOfScope();
    await quotas.recordingCreate(await existingExam(exams, o.exam), o.candidate, recordingId, body.kind);
    return c.json(await recordings.create(o, recordingId, body.kind, body.mimeType));
  });
  app.get('/:id', async (c) => c.json(await recordings.status(owner(c), id(c.req.param('id')))));
  app.put('/:id/segments/:segment', async (c) => {
    const body = await jsonBody(c, CreateSegment);
    const retiredAt = c.get('upload').retiredAt;
    if (retiredAt !== null && body.startedAt >= retiredAt) throw phoneReplaced();
    await recordings.addSegment(owner(c), id(c.req.param('id')), parseWith(SegmentNo, c.req.param('segment'), 'segment'), body.startedAt, body.mimeType);
    return c.body(null, 204);
  });
  app.put('/:id/segments/:segment/chunks/:seq', async (c) => {
    const recordingId = id(c.req.param('id'));
    const segment = parseWith(SegmentNo, c.req.param('segment'), 'segment');
    const seq = parseWith(ChunkSeq, c.req.param('seq'), 'seq');
    const digest = parseContentDigest(c.req.header('content-digest'));
    if (!digest) throw new ApiError(400, 'digest_required', 'send Content-Digest: sha-256=:<base64>: (RFC 9530)');
    const o = owner(c);
    const exam = await existingExam(exams, o.exam);
    const bytes = await readBodyLimited(c.req.raw, exam.config.recording.maxChunkBytes);
    const stored = await recordings.putChunk(o, {
      recordingId, segment, seq, bytes, digest,
      checkQuota: (rec, size) => quotas.chunk(exam, o.candidate, rec.kind, rec.bytes, size),
    });
    return c.json({ stored }, stored ? 201 : 200);
  });
  app.put('/:id/problem', async (c) => {
    const body = await jsonBody(c, ProblemReport);
    await recordings.reportProblem(owner(c), id(c.req.param('id')), body.problem);
    return c.body(null, 204);
  });
  app.post('/:id/complete', async (c) => {
    const body = await jsonBody(c, CompleteRecording);
    const who = owner(c);
    const recording = id(c.req.param('id'));
    const done = await recordings.complete(who, recording, body.segments, body.chainHead);
    indexer.warm(who, recording);
    return c.json(done);
  });
  return app;
}

function outOfScope(): ApiError {
  return new ApiError(403, 'out_of_scope', "a phone's credential records only the candidate's evidence recording");
}

/**
 * A replaced phone still uploads everything it recorded before it was replaced (segments begun
 * before then, even if the server hears of them only now) and starts nothing after.
 */
function phoneReplaced(): ApiError {
  return new ApiError(403, 'phone_replaced', 'another phone was bound as the evidence camera; this phone starts no new recording');
}
