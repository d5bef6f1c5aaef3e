import { FrameError, FrameParser, type FrameHeader } from '../../src/core/upload-frames.js';
import type { FramesReply } from '../../src/core/recording-schema.js';
import { ApiError } from './api-error.js';


export interface FrameSink {
  maxFrameBytes: number;
  maxFrames: number;
  /** Stores one frame's chunk (true: stored now, false: a repeat); throws ApiError to refuse it. */
  store: (header: FrameHeader, bytes: Uint8Array) => Promise<boolean>;
  /** The link cut the body inside this frame: what arrived of its chunk (a resume sends the rest). */
  cut: (header: FrameHeader, received: Uint8Array) => void;
}

/**
 * Reads a framed body (src/core/upload-frames.ts) as it arrives and stores each chunk as soon as
 * its frame is complete — one frame's bytes held at a time, the rest of the body waiting in the
 * socket meanwhile. After a refused frame the rest of the body is read and dropped, so the reply
 * reaches the device over a connection it can keep.
 */
export async function readFrames(req: Request, sink: FrameSink): Promise<FramesReply> {
  const reply: FramesReply = { frames: [] };
  if (!req.body) return reply;
  const parser = new FrameParser();
  const reader = req.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  let count = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch {
      const partial = parser.inFlight();
      if (partial && !reply.refused) sink.cut(partial.header, partial.bytes.slice());
      throw new ApiError(400, 'bad_request', 'the body was cut off; every frame acknowledged before the cut is stored');
    }
    if (next.done) break;
    parser.push(next.value);
    for (;;) {
      let frame: ReturnType<FrameParser['next']>;
      try {
        frame = parser.next();
      } catch (err) {
        if (err instanceof FrameError) throw new ApiError(400, 'bad_request', `frame ${count + 1}: ${err.message}`);
        throw err;
      }
      if (!frame) {
        checkInFlight(parser, sink, count);
        break;
      }
      if (++count > sink.maxFrames) throw new ApiError(413, 'payload_too_large', `at most ${sink.maxFrames} frames per request`);
      if (reply.refused) continue;
      const { segment, seq } = frame.header;
      try {
        reply.frames.push({ segment, seq, stored: await sink.store(frame.header, frame.bytes) });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        reply.refused = { segment, seq, code: err.code, message: err.message };
      }
    }
  }
  if (parser.buffered > 0) throw new ApiError(400, 'bad_request', `the body ends inside frame ${count + 1}`);
  return reply;
}

/** A frame announcing more than a chunk may hold is refused before its bytes are read. */
function checkInFlight(parser: FrameParser, sink: FrameSink, count: number): void {
  const header = parser.pendingHeader;
  if (header && header.size > sink.maxFrameBytes) {
    throw new ApiError(413, 'payload_too_large', `frame ${count + 1}: a chunk may be at most ${sink.maxFrameBytes} bytes`);
  }
}
