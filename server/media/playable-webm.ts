import { ID, LEVEL1, WebmError, concat, element, elementHead, floatElement, readHeader, readUint, uintElement, type Header } from './ebml.js';
import type { ByteSource } from './byte-source.js';

/** One Cluster of the stored stream: where its content lies, its time, and whether a player can start there. */
interface ClusterIndex {
  start: number;
  end: number;
  timestamp: number;
  /** The cluster starts with a keyframe of the cue track: a place to seek to. */
  seekable: boolean;
  lastBlockTime: number;
}

/** What a stored webm is made of, found in one pass over it (the clusters' contents are skipped, not held). */
export interface WebmIndex {
  headerEnd: number;
  info: Uint8Array;
  tracks: Uint8Array;
  timestampScale: number;
  cueTrack: number;
  clusters: ClusterIndex[];
}

/** Served bytes: literal (the rewritten head, cluster headers) or a range of the stored stream (cluster contents). */
export type Part = Uint8Array | { start: number; end: number };

export interface PlayableWebm {
  parts: Part[];
  size: number;
  durationMs: number;
  clusters: number;
}

const HEADER_MAX = 12; // 4-byte ID + 8-byte size
/** The longest start of a block we read: track number (≤ 8 bytes), timecode (2), flags (1). */
const BLOCK_HEAD = 11;

/** An element header at `pos`, reading no further than `limit`. */
async function headerAt(src: ByteSource, pos: number, limit = src.size): Promise<Header> {
  const h = readHeader(await src.read(pos, Math.min(pos + HEADER_MAX, limit)), 0);
  return { ...h, dataStart: pos + h.dataStart };
}

/**
 * MediaRecorder writes a live webm: no duration, no cues, Segment and Clusters of unknown size
 * (Chromium won't change that). One pass finds its head and clusters, so that it can be served
 * with sizes, a Duration and Cues in front of the clusters — a player shows the length and seeks;
 * every cluster's content is kept byte for byte and streamed from the store.
 */
export async function indexWebm(src: ByteSource): Promise<WebmIndex> {
  const ebml = await headerAt(src, 0);
  if (ebml.id !== ID.EBML || ebml.size === null) throw new WebmError('not a webm file');
  const headerEnd = ebml.dataStart + ebml.size;
  const segment = await headerAt(src, headerEnd);
  if (segment.id !== ID.Segment) throw new WebmError('no Segment');
  const segmentEnd = segment.size === null ? src.size : Math.min(src.size, segment.dataStart + segment.size);

  let info: Uint8Array | null = null;
  let timestampScale = 1_000_000;
  let tracks: Uint8Array | null = null;
  let cueTrack = 1;
  const clusters: ClusterIndex[] = [];
  let pos = segment.dataStart;
  while (pos < segmentEnd) {
    const h = await headerAt(src, pos);
    const end = h.size === null ? await findUnknownEnd(src, h.dataStart, segmentEnd) : h.dataStart + h.size;
    const payloadEnd = Math.min(end, src.size);
    if (h.id === ID.Info) {
      const payload = await src.read(h.dataStart, payloadEnd);
      info = withoutChild(payload, ID.Duration);
      timestampScale = childUint(payload, ID.TimestampScale) ?? timestampScale;
    } else if (h.id === ID.Tracks) {
      tracks = (await src.read(h.dataStart, payloadEnd)).slice();
      cueTrack = videoTrack(tracks) ?? cueTrack;
    } else if (h.id === ID.Cluster) {
      clusters.push(await readCluster(src, h.dataStart, payloadEnd, cueTrack));
    }
    pos = end;
  }
  if (!info || !tracks) throw new WebmError('webm without Info or Tracks');
  return { headerEnd, info, tracks, timestampScale, cueTrack, clusters };
}

/** The playable file: the stored EBML header, then a Segment of known size with Info (and Duration), Tracks, Cues, Clusters. */
export function playableLayout(ix: WebmIndex): PlayableWebm {
  const last = ix.clusters.at(-1);
  const durationTicks = last ? last.lastBlockTime : 0;
  const infoEl = element(ID.Info, concat([ix.info, floatElement(ID.Duration, durationTicks)]));
  const tracksEl = element(ID.Tracks, ix.tracks);
  const clusterHeads = ix.clusters.map((c) => elementHead(ID.Cluster, c.end - c.start));
  // Every CuePoint has the same size (fixed-width numbers), so positions are known up front.
  const seekable = ix.clusters.map((c, i) => ({ c, i })).filter(({ c }) => c.seekable);
  const cuePointSize = cuePoint(0, 0, 0).length;
  const cuesSize = element(ID.Cues, new Uint8Array(cuePointSize * seekable.length)).length;
  const offsets: number[] = [];
  const bodySize = ix.clusters.reduce((at, c, i) => (offsets.push(at), at + (clusterHeads[i]?.length ?? 0) + c.end - c.start), infoEl.length + tracksEl.length + cuesSize);
  const cues = element(ID.Cues, concat(seekable.map(({ c, i }) => cuePoint(c.timestamp, ix.cueTrack, offsets[i] ?? 0))));
  const segmentHead = elementHead(ID.Segment, bodySize);
  const parts: Part[] = [{ start: 0, end: ix.headerEnd }, segmentHead, infoEl, tracksEl, cues, ...ix.clusters.flatMap((c, i) => [clusterHeads[i] ?? new Uint8Array(0), { start: c.start, end: c.end }])];
  return {
    parts, size: ix.headerEnd + segmentHead.length + bodySize,
    durationMs: (durationTicks * ix.timestampScale) / 1_000_000, clusters: ix.clusters.length,
  };
}

/** Bytes [from, to) of the playable file, in pieces of at most `piece` bytes, read from the store as they go. */
export async function* readPlayable(webm: PlayableWebm, src: ByteSource, from = 0, to = webm.size, piece = 256 * 1024): AsyncGenerator<Uint8Array, void> {
  let at = 0;
  for (const part of webm.parts) {
    const len = part instanceof Uint8Array ? part.length : part.end - part.start;
    const a = Math.max(from, at);
    const b = Math.min(to, at + len);
    for (let p = a; p < b; p += piece) {
      const q = Math.min(b, p + piece);
      yield part instanceof Uint8Array ? part.subarray(p - at, q - at) : await src.read(part.start + p - at, part.start + q - at);
    }
    at += len;
    if (at >= to) return;
  }
}

/** The whole playable file in memory (tests, small files). */
export async function makePlayable(src: ByteSource): Promise<PlayableWebm & { bytes: Uint8Array }> {
  const webm = playableLayout(await indexWebm(src));
  const pieces: Uint8Array[] = [];
  for await (const p of readPlayable(webm, src)) pieces.push(p.slice());
  return { ...webm, bytes: concat(pieces) };
}

function cuePoint(time: number, track: number, position: number): Uint8Array {
  return element(ID.CuePoint, concat([
    uintElement(ID.CueTime, time),
    element(ID.CueTrackPositions, concat([uintElement(ID.CueTrack, track, 1), uintElement(ID.CueClusterPosition, position)])),
  ]));
}

/** Where an unknown-size element ends: at the next Segment-level element, or the end. */
async function findUnknownEnd(src: ByteSource, start: number, limit: number): Promise<number> {
  let pos = start;
  while (pos < limit) {
    let h;
    try {
      h = await headerAt(src, pos);
    } catch {
      return limit; // a truncated last block: the recording stopped mid-write
    }
    if (LEVEL1.has(h.id) || h.size === null) return pos;
    pos = Math.min(limit, h.dataStart + h.size);
  }
  return limit;
}

async function readCluster(src: ByteSource, start: number, limit: number, cueTrack: number): Promise<ClusterIndex> {
  let timestamp = 0;
  let lastBlockTime = 0;
  let firstCueBlockKey: boolean | null = null;
  let complete = start;
  for (let pos = start; pos < limit;) {
    let h;
    try {
      h = await headerAt(src, pos, limit);
    } catch {
      break;
    }
    const end = h.dataStart + (h.size ?? limit - h.dataStart);
    // A recording cut off mid-write (tab closed, crash) ends in a partial block: drop just that.
    if (end > limit) break;
    if (h.id === ID.Timestamp) timestamp = readUint(await src.read(h.dataStart, end), 0, end - h.dataStart);
    if (h.id === ID.SimpleBlock || h.id === ID.BlockGroup) {
      const blockStart = h.id === ID.SimpleBlock ? h.dataStart : await findBlock(src, h.dataStart, end, limit);
      if (blockStart !== null) {
        const head = await src.read(blockStart, Math.min(blockStart + BLOCK_HEAD, limit));
        const track = readHeaderlessVint(head, 0);
        const rel = new DataView(head.buffer, head.byteOffset + track.length, 2).getInt16(0);
        const flags = head[track.length + 2] ?? 0;
        lastBlockTime = Math.max(lastBlockTime, timestamp + rel);
        if (track.value === cueTrack && firstCueBlockKey === null) firstCueBlockKey = h.id === ID.SimpleBlock ? (flags & 0x80) !== 0 : true;
      }
    }
    pos = end;
    complete = end;
  }
  return { start, end: complete, timestamp, seekable: firstCueBlockKey ?? false, lastBlockTime };
}

async function findBlock(src: ByteSource, start: number, end: number, limit: number): Promise<number | null> {
  for (let pos = start; pos < end;) {
    const h = await headerAt(src, pos, limit);
    if (h.id === ID.Block) return h.dataStart;
    pos = h.dataStart + (h.size ?? 0);
  }
  return null;
}

function readHeaderlessVint(buf: Uint8Array, pos: number): { value: number; length: number } {
  const first = buf[pos] ?? 0;
  const length = Math.clz32(first) - 23;
  let value = first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + (buf[pos + i] ?? 0);
  return { value, length };
}

function children(payload: Uint8Array): { id: number; start: number; end: number; dataStart: number }[] {
  const out = [];
  for (let pos = 0; pos < payload.length;) {
    const h = readHeader(payload, pos);
    const end = h.dataStart + (h.size ?? 0);
    out.push({ id: h.id, start: pos, end, dataStart: h.dataStart });
    pos = end;
  }
  return out;
}

function childUint(payload: Uint8Array, id: number): number | null {
  const c = children(payload).find((x) => x.id === id);
  return c ? readUint(payload, c.dataStart, c.end) : null;
}

function withoutChild(payload: Uint8Array, id: number): Uint8Array {
  return concat(children(payload).filter((c) => c.id !== id).map((c) => payload.subarray(c.start, c.end)));
}

function videoTrack(tracks: Uint8Array): number | null {
  let audio: number | null = null;
  for (const entry of children(tracks).filter((c) => c.id === ID.TrackEntry)) {
    const body = tracks.subarray(entry.dataStart, entry.end);
    const number = childUint(body, ID.TrackNumber);
    const type = childUint(body, ID.TrackType);
    if (type === 1 && number !== null) return number;
    if (type === 2 && number !== null) audio ??= number;
  }
  return audio;
}
