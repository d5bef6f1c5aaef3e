import { z } from 'zod';
import { RUNGS } from './ladder.js';

/**
 * What travels on a live link's data channel: JSON control messages, and thumbnails as binary
 * (one tag byte, a 16-bit sequence number, then the JPEG) so they cost no base64.
 */
export const LiveMessage = z.discriminatedUnion('t', [
  /** Candidate → proctor: the rung the link is on now. */
  z.object({ t: z.literal('rung'), rung: z.enum(RUNGS) }),
  /** Proctor → candidate: a thumbnail arrived (the sender measures loss and delay by these). */
  z.object({ t: z.literal('ack'), seq: z.number().int().min(0).max(65535) }),
]);
export type LiveMessage = z.infer<typeof LiveMessage>;

export const THUMB_TAG = 0x01;

export function encodeLiveMessage(msg: LiveMessage): string {
  return JSON.stringify(msg);
}

export function decodeLiveMessage(data: string | ArrayBuffer): LiveMessage | null {
  if (typeof data !== 'string') return null;
  try {
    const parsed = LiveMessage.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A thumbnail from the binary form: its sequence number and JPEG bytes, or null. */
export function decodeThumbnail(data: ArrayBuffer): { seq: number; jpeg: Uint8Array } | null {
  const bytes = new Uint8Array(data);
  if (bytes.length < 4 || bytes[0] !== THUMB_TAG) return null;
  return { seq: ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0), jpeg: bytes.subarray(3) };
}

/** The session id of an SDP's origin line (`o=<user> <sess-id> <version> …`, RFC 8866). */
export function sdpSession(sdp: string): string | null {
  return /^o=\S+ (\S+) /m.exec(sdp)?.[1] ?? null;
}
