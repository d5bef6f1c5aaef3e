/** The few EBML (Matroska/WebM) primitives the webm fixer needs. Sizes up to 2^53. */

export const ID = {
  EBML: 0x1a45dfa3, Segment: 0x18538067, SeekHead: 0x114d9b74, Info: 0x1549a966, TimestampScale: 0x2ad7b1,
  Duration: 0x4489, Tracks: 0x1654ae6b, TrackEntry: 0xae, TrackNumber: 0xd7, TrackType: 0x83, Cues: 0x1c53bb6b,
  CuePoint: 0xbb, CueTime: 0xb3, CueTrackPositions: 0xb7, CueTrack: 0xf7, CueClusterPosition: 0xf1,
  Cluster: 0x1f43b675, Timestamp: 0xe7, SimpleBlock: 0xa3, BlockGroup: 0xa0, Block: 0xa1, Void: 0xec,
} as const;

/** IDs that may follow a Cluster at the Segment's level: where an unknown-size Cluster ends. */
export const LEVEL1 = new Set<number>([ID.SeekHead, ID.Info, ID.Tracks, ID.Cues, ID.Cluster, 0x1254c367, 0x1043a770, 0x1941a469]);

/** The bytes are not (well-formed) WebM. */
export class WebmError extends Error {
  override readonly name = 'WebmError';
}

export interface Header {
  id: number;
  /** Payload size, or null for "unknown" (live-written elements). */
  size: number | null;
  /** Offset of the payload. */
  dataStart: number;
}

function vintLength(first: number | undefined): number {
  if (first === undefined || first === 0) throw new WebmError('bad EBML variable-size integer');
  return Math.clz32(first) - 23;
}

export function readHeader(buf: Uint8Array, pos: number): Header {
  const idLen = vintLength(buf[pos]);
  let id = 0;
  for (let i = 0; i < idLen; i++) id = id * 256 + (buf[pos + i] ?? 0);
  const sizePos = pos + idLen;
  const sizeLen = vintLength(buf[sizePos]);
  let size = (buf[sizePos] ?? 0) & (0xff >> sizeLen);
  let allOnes = size === 0xff >> sizeLen;
  for (let i = 1; i < sizeLen; i++) {
    const b = buf[sizePos + i] ?? 0;
    size = size * 256 + b;
    allOnes &&= b === 0xff;
  }
  if (sizePos + sizeLen > buf.length) throw new WebmError('truncated EBML element');
  return { id, size: allOnes ? null : size, dataStart: sizePos + sizeLen };
}

export function readUint(buf: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 256 + (buf[i] ?? 0);
  return v;
}

function idBytes(id: number): number[] {
  const out: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return out;
}

/** An element with an 8-byte size field (fixed width keeps offsets easy to compute). */
export function element(id: number, payload: Uint8Array): Uint8Array {
  const head = elementHead(id, payload.length);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** Just the ID and 8-byte size of an element whose payload follows (streamed from elsewhere). */
export function elementHead(id: number, size: number): Uint8Array {
  const head = idBytes(id);
  const out = new Uint8Array(head.length + 8);
  out.set(head, 0);
  out[head.length] = 0x01;
  let n = size;
  for (let i = 7; i >= 1; i--) {
    out[head.length + i] = n % 256;
    n = Math.floor(n / 256);
  }
  return out;
}

export function uintElement(id: number, value: number, width = 8): Uint8Array {
  const payload = new Uint8Array(width);
  let n = value;
  for (let i = width - 1; i >= 0; i--) {
    payload[i] = n % 256;
    n = Math.floor(n / 256);
  }
  return element(id, payload);
}

export function floatElement(id: number, value: number): Uint8Array {
  const payload = new Uint8Array(8);
  new DataView(payload.buffer).setFloat64(0, value);
  return element(id, payload);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
