import { Hono, type Context } from 'hono';
import { parseContentDigest, toHex } from '../../../src/core/hash-chain.js';
import { PartialBodies } from '../partial-bodies.js';
import { concat } from '../../media/ebml.js';
import { ChunkSeq, CompleteRecording, CreateRecording, CreateSegment, ProblemReport, RecordingId, SegmentNo } from '../../../src/core/recording-schema.js';
import type { Services } from '../../services.js';
import { RequestRecordings, type Owner } from '../../domain/recordings.js';
import type { ChunkPack } from '../../domain/shared-packs.js';
import { CandidateTally } from '../../domain/quotas.js';
import type { StoredExam } from '../../domain/exam-store.js';
import { ApiError } from '../api-error.js';
import { existingExam } from './exam-summary.js';
import { readBodyLimited } from '../read-body.js';
import { readFrames, type FrameSink } from '../read-frames.js';
import { FRAMES_TYPE } from '../../../src/core/upload-frames.js';
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

  const partials = new PartialBodies();
  /** The status with the cut bodies this process holds of the recording (a resume needs no HEAD). */
  const withPartial = <T extends object>(o: Owner, recordingId: string, status: T) => ({
    ...status,
    partial: partials.under(partialPrefix(o, recordingId)).flatMap(({ rest, bytes }) => {
      const [segment, seq, sha256] = rest.split('/');
      return segment && seq && sha256 ? [{ segment: Number(segment), seq: Number(seq), sha256, bytes }] : [];
    }),
  });
  app.put('/:id', async (c) => {
    const body = await jsonBody(c, CreateRecording);
    const o = owner(c);
    const recordingId = id(c.req.param('id'));
    const upload = c.get('upload');
    if (upload.scope === 'evidence' && body.kind !== 'evidence') throw outOfScope();
    await quotas.recordingCreate(await existingExam(exams, o.exam), o.candidate, recordingId, body.kind);
    return c.json(withPartial(o, recordingId, await recordings.create(o, recordingId, body.kind, body.mimeType)));
  });
  app.get('/:id', async (c) => {
    const [o, recordingId] = [owner(c), id(c.req.param('id'))];
    return c.json(withPartial(o, recordingId, await recordings.status(o, recordingId)));
  });
  app.put('/:id/segments/:segment', async (c) => {
    const body = await jsonBody(c, CreateSegment);
    const retiredAt = c.get('upload').retiredAt;
    if (retiredAt !== null && body.startedAt >= retiredAt) throw phoneReplaced();
    await recordings.addSegment(owner(c), id(c.req.param('id')), parseWith(SegmentNo, c.req.param('segment'), 'segment'), body.startedAt, body.mimeType);
    return c.body(null, 204);
  });
  /** One chunk's key and the body it must have: recording, segment, seq and the Content-Digest. */
  const chunkOf = (c: Context<UploadEnv>) => {
    const recordingId = id(c.req.param('id'));
    const segment = parseWith(SegmentNo, c.req.param('segment'), 'segment');
    const seq = parseWith(ChunkSeq, c.req.param('seq'), 'seq');
    const digest = parseContentDigest(c.req.header('content-digest'));
    if (!digest) throw new ApiError(400, 'digest_required', 'send Content-Digest: sha-256=:<base64>: (RFC 9530)');
    const o = owner(c);
    return { o, recordingId, segment, seq, digest, partial: partialKey(o, recordingId, segment, seq, digest) };
  };
  // Before resuming a cut body: how much of it the server has (all of it once stored). Devices
  // ask with HEAD, which Hono answers from this GET route without the (empty) body.
  app.get('/:id/segments/:segment/chunks/:seq', async (c) => {
    const { o, recordingId, segment, seq, digest, partial } = chunkOf(c);
    const held = await recordings.chunkHeld(o, recordingId, segment, seq);
    if (held && held.sha256 !== toHex(digest)) return c.body(null, 409);
    c.header('upload-offset', String(held ? held.size : partials.size(partial)));
    c.header('upload-complete', held ? '?1' : '?0');
    return c.body(null, 200);
  });
  app.put('/:id/segments/:segment/chunks/:seq', async (c) => {
    const { o, recordingId, segment, seq, digest, partial } = chunkOf(c);
    const exam = await existingExam(exams, o.exam);
    const offset = uploadOffset(c.req.header('upload-offset'));
    // A new attempt supersedes what an earlier one left (cut again, it leaves its own).
    const held = partials.take(partial);
    const prefix = offset > 0 ? held?.subarray(0, offset) : new Uint8Array(0);
    if (!prefix || prefix.length !== offset) {
      throw new ApiError(409, 'offset_mismatch', `the server holds ${prefix?.length ?? 0} bytes of this chunk, not ${offset}: send it whole`, { held: prefix?.length ?? 0 });
    }
    const rest = await readBodyLimited(c.req.raw, exam.config.recording.maxChunkBytes - offset, (received) => partials.keep(partial, concat([prefix, received])));
    const bytes = prefix.length > 0 ? concat([prefix, rest]) : rest;
    const stored = await recordings.putChunk(o, {
      recordingId, segment, seq, bytes, digest,
      checkQuota: (rec, size) => quotas.chunk(exam, o.candidate, rec.kind, rec.bytes, size),
    });
    return c.json({ stored }, stored ? 201 : 200);
  });
  /** The frames of a request stored one by one (docs/api.md, "Several chunks in one request"). */
  const frameSink = (o: Owner, exam: StoredExam, fixed: string | null, pack: ChunkPack | null): FrameSink => {
    /** The recording of a frame: the route's, or (a body of sections) the one its section names. */
    const recordingOf = (section: string | null): string => {
      if (fixed !== null) {
        if (section !== null) throw new ApiError(400, 'bad_request', `sections go to POST /api/recordings/chunks, not to one recording's`);
        return fixed;
      }
      if (section === null) throw new ApiError(400, 'bad_request', 'a body of several recordings begins with a section naming one');
      return id(section);
    };
    // Each recording, and the candidate's total, read once for the request's chunks.
    const seen = new RequestRecordings(MAX_FRAMES);
    const tally = new CandidateTally();
    return {
      maxFrameBytes: exam.config.recording.maxChunkBytes,
      maxFrames: MAX_FRAMES,
      store: (h, bytes, accepted, section) => {
        const recordingId = recordingOf(section);
        const segment = parseWith(SegmentNo, h.segment, 'segment');
        const seq = parseWith(ChunkSeq, h.seq, 'seq');
        partials.take(partialKey(o, recordingId, segment, seq, h.digest));
        return recordings.putChunk(o, {
          recordingId, segment, seq, bytes, digest: h.digest, accepted, pack, seen,
          checkQuota: (rec, size) => quotas.chunk(exam, o.candidate, rec.kind, rec.bytes, size, tally),
        });
      },
      cut: (h, received, section) => {
        const recordingId = fixed ?? section;
        if (recordingId !== null && RecordingId.safeParse(recordingId).success) partials.keep(partialKey(o, recordingId, h.segment, h.seq, h.digest), received);
      },
    };
  };
  /** A framed body's chunks, stored in the candidate's pack where the store keeps packs (local disk). */
  const storeFrames = async (c: Context<UploadEnv>, o: Owner, exam: StoredExam, fixed: string | null) => {
    const pack = recordings.openPack(o);
    try {
      return await readFrames(c.req.raw, frameSink(o, exam, fixed, pack));
    } finally {
      pack?.release();
    }
  };
  const framesType = (c: Context<UploadEnv>) => {
    if (!(c.req.header('content-type') ?? '').startsWith(FRAMES_TYPE)) throw new ApiError(415, 'unsupported_media_type', `send the frames with Content-Type: ${FRAMES_TYPE}`);
  };
  // v2: several chunks in one body of frames, each stored as it completes (docs/api.md).
  app.post('/:id/chunks', async (c) => {
    const recordingId = id(c.req.param('id'));
    const o = owner(c);
    framesType(c);
    const exam = await existingExam(exams, o.exam);
    await recordings.checkOwner(o, recordingId); // 403/404 before any byte is read
    return c.json(await storeFrames(c, o, exam, recordingId));
  });
  // v2, several recordings of the candidate in one body: a section names each one's frames.
  app.post('/chunks', async (c) => {
    const o = owner(c);
    framesType(c);
    const exam = await existingExam(exams, o.exam);
    return c.json(await storeFrames(c, o, exam, null));
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

/** Frames per v2 request: a backlog goes up in a few requests, each bounded in what it can take. */
const MAX_FRAMES = 256;

/** Where a cut chunk body's prefix is kept: the same for a v1 PUT and a v2 frame (either resumes with v1). */
function partialKey(o: Owner, recordingId: string, segment: number, seq: number, digest: Uint8Array): string {
  return `${partialPrefix(o, recordingId)}${segment}/${seq}/${toHex(digest)}`;
}

/** Where every cut body of one recording (of this device) is kept: the keys' common start. */
function partialPrefix(o: Owner, recordingId: string): string {
  return `${[o.exam, o.candidate, o.device ?? '', recordingId].join('/')}/`;
}

function uploadOffset(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new ApiError(400, 'bad_request', 'Upload-Offset must be a whole number of bytes');
  return n;
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
