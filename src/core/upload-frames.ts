/**
 * Upload protocol v2 (docs/api.md, "Several chunks in one request"): a request body of framed
 * chunks, each frame a fixed 48-byte header then the chunk's bytes. The server stores and commits
 * each chunk as its frame completes, so a cut costs at most the frame in flight — and the part of
 * it that arrived is kept for a resume, exactly as for a v1 chunk PUT.
 *
 * Header: "IVF1" ‖ u32be(segment) ‖ u32be(seq) ‖ u32be(size) ‖ SHA-256(chunk) (32 bytes).
 */
export const FRAME_HEADER_BYTES = 48;
const MAGIC = [0x49, 0x56, 0x46, 0x31]; // "IVF1"
/**
 * A section header names the recording of the frames after it, so one request carries several
 * recordings of one candidate (`POST /api/recordings/chunks`): "IVS1" ‖ u8(length) ‖ the id (ASCII).
 */
const SECTION_MAGIC = [0x49, 0x56, 0x53, 0x31]; // "IVS1"
const SECTION_FIXED_BYTES = 5;
/**
 * While recording, a stored chunk waits up to this long for the next ones, and they go up
 * together: one framed request every few seconds (with the candidate's other live recordings'
 * chunks, in sections), not one request per chunk. The chunks are on the device meanwhile; the
 * proctor watches live over WebRTC, not from uploads.
 */
export const LIVE_BATCH_MS = 8_000;
/** Content-Type of a framed body. */
export const FRAMES_TYPE = 'application/vnd.invigil.frames';

export interface FrameHeader {
  segment: number;
  seq: number;
  size: number;
  /** SHA-256 of the chunk's bytes. */
  digest: Uint8Array;
}

export function encodeFrameHeader(h: FrameHeader): Uint8Array<ArrayBuffer> {
  if (h.digest.length !== 32) throw new Error('a frame digest is 32 bytes (SHA-256)');
  const out = new Uint8Array(FRAME_HEADER_BYTES);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, h.segment);
  view.setUint32(8, h.seq);
  view.setUint32(12, h.size);
  out.set(h.digest, 16);
  return out;
}

export function encodeSectionHeader(recordingId: string): Uint8Array<ArrayBuffer> {
  if (!/^[\x21-\x7e]{1,255}$/.test(recordingId)) throw new Error('a section names its recording in 1–255 printable ASCII characters');
  const out = new Uint8Array(SECTION_FIXED_BYTES + recordingId.length);
  out.set(SECTION_MAGIC, 0);
  out[4] = recordingId.length;
  for (let i = 0; i < recordingId.length; i++) out[SECTION_FIXED_BYTES + i] = recordingId.charCodeAt(i);
  return out;
}

/** The header in the first 48 bytes of `bytes`, or an error naming what is wrong with it. */
export function decodeFrameHeader(bytes: Uint8Array): FrameHeader | { error: string } {
  if (bytes.length < FRAME_HEADER_BYTES) return { error: 'a frame header is 48 bytes' };
  if (MAGIC.some((b, i) => bytes[i] !== b)) return { error: 'a frame starts with "IVF1"' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, FRAME_HEADER_BYTES);
  return { segment: view.getUint32(4), seq: view.getUint32(8), size: view.getUint32(12), digest: new Uint8Array(bytes.subarray(16, FRAME_HEADER_BYTES)) };
}

/**
 * Reassembles frames from a body that arrives in arbitrary pieces: `push` a piece, then `next()`
 * yields each frame once all its bytes are in. `inFlight` is what arrived of a frame cut short.
 */
export class FrameParser {
  private parts: Uint8Array[] = [];
  private length = 0;
  private header: FrameHeader | null = null;
  /** The recording the last section header named (null before any: a body for one recording). */
  private current: string | null = null;

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.parts.push(piece);
    this.length += piece.length;
  }

  /**
   * The next complete frame (with the recording its section names, null outside sections), null
   * when more bytes are needed; throws on a malformed header.
   */
  next(): { header: FrameHeader; bytes: Uint8Array; section: string | null } | null {
    while (!this.header && this.startsWith(SECTION_MAGIC)) {
      if (this.length < SECTION_FIXED_BYTES) return null;
      const idBytes = this.byteAt(4);
      if (idBytes === 0) throw new FrameError('a section names its recording');
      if (this.length < SECTION_FIXED_BYTES + idBytes) return null;
      this.current = String.fromCharCode(...this.take(SECTION_FIXED_BYTES + idBytes).subarray(SECTION_FIXED_BYTES));
    }
    if (!this.header) {
      if (this.length < FRAME_HEADER_BYTES) return null;
      const decoded = decodeFrameHeader(this.take(FRAME_HEADER_BYTES));
      if ('error' in decoded) throw new FrameError(decoded.error);
      this.header = decoded;
    }
    if (this.length < this.header.size) return null;
    const frame = { header: this.header, bytes: this.take(this.header.size), section: this.current };
    this.header = null;
    return frame;
  }

  /** The frame whose header arrived but not all its bytes (and those bytes, and its section), if any. */
  inFlight(): { header: FrameHeader; bytes: Uint8Array; section: string | null } | null {
    return this.header ? { header: this.header, bytes: this.take(Math.min(this.length, this.header.size)), section: this.current } : null;
  }

  /** The header of the frame whose bytes are arriving, if any. */
  get pendingHeader(): FrameHeader | null {
    return this.header;
  }

  /** Bytes received and not yet part of a returned frame (a body must end with none). */
  get buffered(): number {
    return this.length + (this.header ? FRAME_HEADER_BYTES : 0);
  }

  /** The buffered bytes begin with `magic` (as far as they go: a body cut inside it counts as buffered). */
  private startsWith(magic: readonly number[]): boolean {
    if (this.length === 0) return false;
    for (let i = 0; i < Math.min(this.length, magic.length); i++) if (this.byteAt(i) !== magic[i]) return false;
    return true;
  }

  /** The buffered byte at `i` (< `length`), read in place. */
  private byteAt(i: number): number {
    let at = i;
    for (const part of this.parts) {
      if (at < part.length) return part[at] ?? 0;
      at -= part.length;
    }
    return 0;
  }

  private take(n: number): Uint8Array {
    const first = this.parts[0];
    if (first && first.length >= n) {
      // Within the first piece: a view, no copy.
      const out = first.subarray(0, n);
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
      this.length -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const part = this.parts[0];
      if (!part) break;
      const use = Math.min(part.length, n - filled);
      out.set(part.subarray(0, use), filled);
      filled += use;
      if (use === part.length) this.parts.shift();
      else this.parts[0] = part.subarray(use);
    }
    this.length -= filled;
    return filled === n ? out : out.subarray(0, filled);
  }
}

export class FrameError extends Error {}
