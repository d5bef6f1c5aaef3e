/**
 * The hash chain over a recording's chunks: it proves to the server that it holds every chunk,
 * in order, byte for byte. link_0 = H("invigil/chain/v1/" + recordingId); then for each chunk in
 * (segment, seq) order: link = H(prev ‖ u32be(segment) ‖ u32be(seq) ‖ H(chunk)). H is SHA-256,
 * passed in (crypto.subtle in browsers and workers, node:crypto on the server): core does no I/O.
 */
import { fromBase64, toBase64 } from './base64.js';

export { toBase64 };
export type Sha256 = (bytes: Uint8Array) => Promise<Uint8Array>;

export interface ChainedChunk {
  segment: number;
  seq: number;
  /** SHA-256 of the chunk's bytes. */
  digest: Uint8Array;
}

/** Recording ids are ASCII (see RecordingId), so their bytes are their char codes. */
export function genesis(sha256: Sha256, recordingId: string): Promise<Uint8Array> {
  const text = `invigil/chain/v1/${recordingId}`;
  return sha256(Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0x7f));
}

export function link(sha256: Sha256, prev: Uint8Array, chunk: ChainedChunk): Promise<Uint8Array> {
  const buf = new Uint8Array(prev.length + 8 + chunk.digest.length);
  buf.set(prev, 0);
  const view = new DataView(buf.buffer);
  view.setUint32(prev.length, chunk.segment);
  view.setUint32(prev.length + 4, chunk.seq);
  buf.set(chunk.digest, prev.length + 8);
  return sha256(buf);
}

/** The head after `chunks`, which must already be in (segment, seq) order. */
export async function chainHead(sha256: Sha256, recordingId: string, chunks: Iterable<ChainedChunk>): Promise<Uint8Array> {
  let head = await genesis(sha256, recordingId);
  for (const chunk of chunks) head = await link(sha256, head, chunk);
  return head;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** RFC 9530 `Content-Digest: sha-256=:<base64>:` for a SHA-256 digest. */
export function contentDigestHeader(digest: Uint8Array): string {
  return `sha-256=:${toBase64(digest)}:`;
}

/** The sha-256 digest named in a Content-Digest header (other algorithms ignored), or null. */
export function parseContentDigest(header: string | null | undefined): Uint8Array | null {
  if (!header) return null;
  for (const member of header.split(',')) {
    const m = /^\s*sha-256\s*=\s*:([A-Za-z0-9+/]+={0,2}):\s*$/.exec(member);
    if (m?.[1]) {
      const bytes = fromBase64(m[1]);
      return bytes?.length === 32 ? bytes : null;
    }
  }
  return null;
}
