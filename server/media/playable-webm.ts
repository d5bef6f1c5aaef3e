import { ID, LEVEL1, WebmError, concat, element, floatElement, readHeader, readUint, uintElement } from './ebml.js';

export interface PlayableWebm {
  bytes: Uint8Array;
  durationMs: number;
  clusters: number;
}

interface Cluster {
  payload: Uint8Array;
  timestamp: number;
  /** The cluster starts with a keyframe of the cue track: a place to seek to. */
  seekable: boolean;
  lastBlockTime: number;
}

/**
 * MediaRecorder writes a live webm: no duration, no cues, Segment and Clusters of unknown size
 * (Chromium won't change that). This rewrites it with sizes, a Duration and Cues in front of the
 * clusters, so a player shows the length and seeks; every cluster's content is kept byte for byte.
 */
export function makePlayable(webm: Uint8Array): PlayableWebm {
  const ebml = readHeader(webm, 0);
  if (ebml.id !== ID.EBML || ebml.size === null) throw new WebmError('not a webm file');
  const headerEnd = ebml.dataStart + ebml.size;
  const segment = readHeader(webm, headerEnd);
  if (segment.id !== ID.Segment) throw new WebmError('no Segment');
  const segmentEnd = segment.size === null ? webm.length : Math.min(webm.length, segment.dataStart + segment.size);

  let info: Uint8Array | null = null;
  let timestampScale = 1_000_000;
  let tracks: Uint8Array | null = null;
  let cueTrack = 1;
  const clusters: Cluster[] = [];
  let pos = segment.dataStart;
  while (pos < segmentEnd) {
    const h = readHeader(webm, pos);
    const end = h.size === null ? findUnknownEnd(webm, h.dataStart, segmentEnd) : h.dataStart + h.size;
    const payload = webm.subarray(h.dataStart, end);
    if (h.id === ID.Info) {
      info = withoutChild(payload, ID.Duration);
      timestampScale = childUint(payload, ID.TimestampScale) ?? timestampScale;
    } else if (h.id === ID.Tracks) {
      tracks = payload;
      cueTrack = videoTrack(payload) ?? cueTrack;
    } else if (h.id === ID.Cluster) {
      clusters.push(readCluster(payload, cueTrack));
    }
    pos = end;
  }
  if (!info || !tracks) throw new WebmError('webm without Info or Tracks');

  const last = clusters.at(-1);
  const durationTicks = last ? last.lastBlockTime : 0;
  const infoEl = element(ID.Info, concat([info, floatElement(ID.Duration, durationTicks)]));
  const tracksEl = element(ID.Tracks, tracks);
  const clusterEls = clusters.map((c) => element(ID.Cluster, c.payload));
  // Every CuePoint has the same size (fixed-width numbers), so positions are known up front.
  const seekable = clusters.map((c, i) => ({ c, i })).filter(({ c }) => c.seekable);
  const cuePointSize = cuePoint(0, 0, 0).length;
  const cuesSize = element(ID.Cues, new Uint8Array(cuePointSize * seekable.length)).length;
  const firstCluster = infoEl.length + tracksEl.length + cuesSize;
  const offsets: number[] = [];
  clusterEls.reduce((at, el) => (offsets.push(at), at + el.length), firstCluster);
  const cues = element(ID.Cues, concat(seekable.map(({ c, i }) => cuePoint(c.timestamp, cueTrack, offsets[i] ?? 0))));
  const body = concat([infoEl, tracksEl, cues, ...clusterEls]);
  const bytes = concat([webm.subarray(0, headerEnd), element(ID.Segment, body)]);
  return { bytes, durationMs: (durationTicks * timestampScale) / 1_000_000, clusters: clusters.length };
}

function cuePoint(time: number, track: number, position: number): Uint8Array {
  return element(ID.CuePoint, concat([
    uintElement(ID.CueTime, time),
    element(ID.CueTrackPositions, concat([uintElement(ID.CueTrack, track, 1), uintElement(ID.CueClusterPosition, position)])),
  ]));
}

/** Where an unknown-size element ends: at the next Segment-level element, or the end. */
function findUnknownEnd(buf: Uint8Array, start: number, limit: number): number {
  let pos = start;
  while (pos < limit) {
    let h;
    try {
      h = readHeader(buf, pos);
    } catch {
      return limit; // a truncated last block: the recording stopped mid-write
    }
    if (LEVEL1.has(h.id) || h.size === null) return pos;
    pos = Math.min(limit, h.dataStart + h.size);
  }
  return limit;
}

function readCluster(payload: Uint8Array, cueTrack: number): Cluster {
  let timestamp = 0;
  let lastBlockTime = 0;
  let firstCueBlockKey: boolean | null = null;
  let complete = 0;
  for (let pos = 0; pos < payload.length;) {
    let h;
    try {
      h = readHeader(payload, pos);
    } catch {
      break;
    }
    const end = h.dataStart + (h.size ?? payload.length - h.dataStart);
    // A recording cut off mid-write (tab closed, crash) ends in a partial block: drop just that.
    if (end > payload.length) break;
    if (h.id === ID.Timestamp) timestamp = readUint(payload, h.dataStart, end);
    if (h.id === ID.SimpleBlock || h.id === ID.BlockGroup) {
      const block = h.id === ID.SimpleBlock ? { start: h.dataStart } : findBlock(payload, h.dataStart, end);
      if (block) {
        const track = readHeaderlessVint(payload, block.start);
        const rel = new DataView(payload.buffer, payload.byteOffset + block.start + track.length, 2).getInt16(0);
        const flags = payload[block.start + track.length + 2] ?? 0;
        lastBlockTime = Math.max(lastBlockTime, timestamp + rel);
        if (track.value === cueTrack && firstCueBlockKey === null) firstCueBlockKey = h.id === ID.SimpleBlock ? (flags & 0x80) !== 0 : true;
      }
    }
    pos = end;
    complete = end;
  }
  return { payload: payload.subarray(0, complete), timestamp, seekable: firstCueBlockKey ?? false, lastBlockTime };
}

function findBlock(buf: Uint8Array, start: number, end: number): { start: number } | null {
  for (let pos = start; pos < end;) {
    const h = readHeader(buf, pos);
    if (h.id === ID.Block) return { start: h.dataStart };
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
