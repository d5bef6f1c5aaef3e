import { z } from 'zod';

/** Made on the device (a UUID or similar), ASCII so the hash chain can use its bytes directly. */
export const RecordingId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'an 8–64 character recording id');
export const SegmentNo = z.coerce.number().int().min(0).max(9_999);
export const ChunkSeq = z.coerce.number().int().min(0).max(999_999);

export const RecordingKind = z.enum(['camera', 'screen', 'evidence']);
export type RecordingKind = z.infer<typeof RecordingKind>;

export const MimeType = z.string().regex(/^(video|audio)\/webm(;[ a-z0-9=.,"-]*)?$/i, 'a webm media type').max(120);

export const CreateRecording = z.object({ kind: RecordingKind, mimeType: MimeType });
export const CreateSegment = z.object({
  /** Server time (as the device estimated it) at which this segment started recording. */
  startedAt: z.number().int().nonnegative(),
  mimeType: MimeType,
});

export const HeldChunk = z.object({ seq: z.number().int(), size: z.number().int(), sha256: z.string() });
export const RecordingStatus = z.object({
  id: RecordingId,
  kind: RecordingKind,
  mimeType: z.string(),
  bytes: z.number().int(),
  verifiedAt: z.number().nullable(),
  segments: z.array(z.object({
    segment: z.number().int(),
    startedAt: z.number().nullable(),
    mimeType: z.string().nullable(),
    chunks: z.array(HeldChunk),
  })),
  /**
   * Chunk bodies a cut left part-way on this server: the device resumes each from `bytes` (a PUT
   * with Upload-Offset), whichever of its contexts makes the next attempt. Absent from older servers.
   */
  partial: z.array(z.object({ segment: z.number().int(), seq: z.number().int(), sha256: z.string(), bytes: z.number().int() })).optional(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

export const CompleteRecording = z.object({
  /** How many chunks each segment has (seq 0..count-1). */
  segments: z.array(z.object({ segment: SegmentNo, chunks: z.number().int().min(0).max(1_000_000) })).min(1).max(10_000),
  /** Hex SHA-256 chain head over all chunks in (segment, seq) order. */
  chainHead: z.string().regex(/^[0-9a-f]{64}$/),
});
export const ProblemReport = z.object({ problem: z.string().min(1).max(500).nullable() });
export const CompleteReply = z.object({ verifiedAt: z.number(), bytes: z.number().int(), chunks: z.number().int() });
export type CompleteReply = z.infer<typeof CompleteReply>;

/**
 * The reply to a framed upload (v2): each frame stored in order, and the first one refused, if
 * any; for a body of sections (several recordings), each names its `recording`.
 */
export const FramesReply = z.object({
  frames: z.array(z.object({ recording: z.string().optional(), segment: z.number().int(), seq: z.number().int(), stored: z.boolean() })),
  refused: z.object({ recording: z.string().optional(), segment: z.number().int(), seq: z.number().int(), code: z.string(), message: z.string() }).optional(),
});
export type FramesReply = z.infer<typeof FramesReply>;
