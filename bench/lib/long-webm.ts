import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ID, concat, element, readHeader, uintElement } from '../../server/media/ebml.js';
import { bytesSource } from '../../server/media/byte-source.js';
import { indexWebm } from '../../server/media/playable-webm.js';
import { ROOT } from '../../test/helpers/child-server.js';

/**
 * A long, decodable live webm made of a real 4-s MediaRecorder recording played again and again:
 * each repetition's clusters are copied with their timestamps moved on (every repetition starts
 * with the recording's first keyframe). Yielded in chunks of about `chunkBytes`, written like
 * MediaRecorder writes them (a Segment of unknown size, no Duration, no Cues).
 */
export async function* longWebmChunks(minutes: number, chunkBytes = 256 * 1024): AsyncGenerator<Uint8Array> {
  const file = new Uint8Array(await readFile(path.join(ROOT, 'test/fixtures/recorder-4s.webm')));
  const ix = await indexWebm(bytesSource(file));
  const first = ix.clusters[0];
  if (!first) throw new Error('the fixture has no cluster');
  // The head: the file up to the first Cluster's ID (EBML header, Segment of unknown size, Info, Tracks).
  const head = file.subarray(0, findId(file, ID.Cluster, ix.headerEnd));
  const bodies = ix.clusters.map((c) => ({ timestamp: c.timestamp, rest: withoutTimestamp(file.subarray(c.start, c.end)) }));
  const last = ix.clusters.at(-1);
  const periodMs = Math.ceil(((last?.lastBlockTime ?? 4_000) + 40) / 10) * 10;
  const reps = Math.ceil((minutes * 60_000) / periodMs);
  let pending: Uint8Array[] = [head];
  let size = head.length;
  for (let k = 0; k < reps; k++) {
    for (const b of bodies) {
      const cluster = element(ID.Cluster, concat([uintElement(ID.Timestamp, b.timestamp + k * periodMs), b.rest]));
      pending.push(cluster);
      size += cluster.length;
      if (size >= chunkBytes) {
        yield concat(pending);
        pending = [];
        size = 0;
      }
    }
  }
  if (pending.length) yield concat(pending);
}

function findId(buf: Uint8Array, id: number, from: number): number {
  const b = [id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff];
  for (let i = from; i + 4 <= buf.length; i++) if (buf[i] === b[0] && buf[i + 1] === b[1] && buf[i + 2] === b[2] && buf[i + 3] === b[3]) return i;
  throw new Error('no cluster in the fixture');
}

/** A cluster's children without its Timestamp (blocks keep their times relative to it). */
function withoutTimestamp(payload: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [];
  for (let pos = 0; pos < payload.length;) {
    const h = readHeader(payload, pos);
    const end = h.size === null ? payload.length : h.dataStart + h.size;
    if (h.id !== ID.Timestamp) kept.push(payload.subarray(pos, end));
    pos = end;
  }
  return concat(kept);
}
