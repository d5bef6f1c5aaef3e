import { ApiError } from './api-error.js';
import { concat } from '../media/ebml.js';

/**
 * The raw body, refused with 413 as soon as it passes `max` bytes (declared or streamed). When the
 * link drops mid-body, `onCut` gets what did arrive (a chunk's retry may send only the rest).
 */
export async function readBodyLimited(req: Request, max: number, onCut?: (received: Uint8Array) => void): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > max) throw tooLarge(max);
  if (!req.body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch {
      // The link dropped mid-body (the client's retry sends it again): nothing was stored.
      onCut?.(joined(parts));
      throw new ApiError(400, 'bad_request', 'the body was cut off before its end; nothing was stored');
    }
    const { done, value } = next;
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    parts.push(value);
  }
  return joined(parts);
}

/** One read is the body as it came (no copy); more are joined. */
const joined = (parts: Uint8Array[]): Uint8Array => (parts.length === 1 && parts[0] ? parts[0] : concat(parts));

function tooLarge(max: number): ApiError {
  return new ApiError(413, 'payload_too_large', `a chunk may be at most ${max} bytes`);
}
