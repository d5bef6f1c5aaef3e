import { FrameError, FrameParser, type FrameHeader } from '../../src/core/upload-frames.js';
import type { FramesReply } from '../../src/core/recording-schema.js';
import { ApiError } from './api-error.js';


export interface FrameSink {
  maxFrameBytes: number;
  maxFrames: number;
  /**
   * Stores one frame's chunk (true: stored now, false: a repeat); throws ApiError to refuse it.
   * Calls `accepted` once its checks passed and only the durable writes are left: the next
   * frame's store starts then, beside it.
   */
  store: (header: FrameHeader, bytes: Uint8Array, accepted: () => void, section: string | null) => Promise<boolean>;
  /** The link cut the body inside this frame: what arrived of its chunk (a resume sends the rest). */
  cut: (header: FrameHeader, received: Uint8Array, section: string | null) => void;
}

/** Frames whose durable writes (the bytes, their sync, the row) run at once in one request. */
const STORING_AT_ONCE = 4;

type Outcome = FramesReply['frames'][number] | { refused: NonNullable<FramesReply['refused']> };

/**
 * Reads a framed body (src/core/upload-frames.ts) as it arrives and stores each chunk as soon as
 * its frame is complete. A frame's checks (digest, quota, what is held) run after the frame
 * before it passed its own; their durable writes then overlap (up to STORING_AT_ONCE frames held
 * at once, the rest of the body waiting in the socket), so a request's acknowledgement waits for
 * about one frame's fsyncs, not the sum. The reply lists frames in order up to the first refused
 * one; a frame after it is stored only if its checks had passed before the one before failed in
 * its writes (then it is held, and a repeat is answered `stored: false`). After a refused frame
 * the rest of the body is read and dropped, so the reply reaches the device over a connection it
 * can keep.
 */
export async function readFrames(req: Request, sink: FrameSink): Promise<FramesReply> {
  if (!req.body) return { frames: [] };
  const outcomes: Promise<Outcome>[] = [];
  try {
    await readInto(req.body.getReader() as ReadableStreamDefaultReader<Uint8Array>, sink, outcomes);
  } catch (err) {
    // The frames under way finish first: a status read after any error (a cut above all) lists them.
    await Promise.allSettled(outcomes);
    throw err;
  }
  return replyOf(await Promise.all(outcomes));
}

/** Reads the frames, starting each one's store in turn; each store's outcome goes to `outcomes`. */
async function readInto(reader: ReadableStreamDefaultReader<Uint8Array>, sink: FrameSink, outcomes: Promise<Outcome>[]): Promise<void> {
  const parser = new FrameParser();
  const storing = new Set<Promise<unknown>>();
  /** Settles once the frame before has passed its checks, or finished. */
  let previous: Promise<unknown> = Promise.resolve();
  /** A frame was refused (or failed): the rest of the body is read and dropped. */
  const halt = { refused: false };
  let count = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch {
      const partial = parser.inFlight();
      if (partial && !halt.refused) sink.cut(partial.header, partial.bytes.slice(), partial.section);
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
      await previous;
      if (halt.refused) continue;
      if (storing.size >= STORING_AT_ONCE) await Promise.race(storing);
      const { header, bytes, section } = frame;
      const { segment, seq } = header;
      const named = section === null ? {} : { recording: section };
      let accept = () => {};
      const accepted = new Promise<void>((resolve) => { accept = resolve; });
      const outcome = (async () => sink.store(header, bytes, accept, section))().then(
        (stored): Outcome => ({ ...named, segment, seq, stored }),
        (err: unknown): Outcome => {
          // Refused, or failed (answered 500 once the frames under way are done): nothing more is stored.
          halt.refused = true;
          if (!(err instanceof ApiError)) throw err;
          return { refused: { ...named, segment, seq, code: err.code, message: err.message } };
        });
      const done = outcome.then(() => undefined, () => undefined);
      storing.add(done);
      void done.then(() => storing.delete(done));
      outcomes.push(outcome);
      previous = Promise.race([accepted, done]);
    }
  }
  if (parser.buffered > 0) throw new ApiError(400, 'bad_request', `the body ends inside frame ${count + 1}`);
}

/** The frames in order up to the first refused one, and that one. */
function replyOf(outcomes: Outcome[]): FramesReply {
  const reply: FramesReply = { frames: [] };
  for (const o of outcomes) {
    if ('refused' in o) {
      reply.refused = o.refused;
      break;
    }
    reply.frames.push(o);
  }
  return reply;
}

/** A frame announcing more than a chunk may hold is refused before its bytes are read. */
function checkInFlight(parser: FrameParser, sink: FrameSink, count: number): void {
  const header = parser.pendingHeader;
  if (header && header.size > sink.maxFrameBytes) {
    throw new ApiError(413, 'payload_too_large', `frame ${count + 1}: a chunk may be at most ${sink.maxFrameBytes} bytes`);
  }
}
