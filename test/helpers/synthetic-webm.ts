import { ID, concat, element, uintElement } from '../../server/media/ebml.js';

/**
 * A live-written webm as MediaRecorder makes it (Segment of unknown size, no Duration, no Cues),
 * generated chunk by chunk so that a long recording is never in memory: one video track, a
 * keyframe cluster every `clusterMs`, `blocksPerSecond` blocks of `blockBytes`. The bytes are a
 * pattern, not real video: enough to index, serve and seek, not to decode.
 */
export interface SyntheticWebm { minutes: number; chunkMs: number; clusterMs?: number; blocksPerSecond?: number; blockBytes?: number }

export function* syntheticWebmChunks(o: SyntheticWebm): Generator<Uint8Array> {
  const clusterMs = o.clusterMs ?? 2_000;
  const perSecond = o.blocksPerSecond ?? 30;
  const blockBytes = o.blockBytes ?? 600;
  const head = concat([
    element(ID.EBML, concat([element(0x4282, new TextEncoder().encode('webm'))])),
    new Uint8Array([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    element(ID.Info, uintElement(ID.TimestampScale, 1_000_000)),
    element(ID.Tracks, element(ID.TrackEntry, concat([uintElement(ID.TrackNumber, 1, 1), uintElement(ID.TrackType, 1, 1)]))),
  ]);
  const totalMs = o.minutes * 60_000;
  let pending: Uint8Array[] = [head];
  for (let chunkStart = 0; chunkStart < totalMs; chunkStart += o.chunkMs) {
    for (let t = chunkStart; t < Math.min(totalMs, chunkStart + o.chunkMs); t += clusterMs) pending.push(cluster(t, clusterMs, perSecond, blockBytes));
    yield concat(pending);
    pending = [];
  }
}

function cluster(at: number, ms: number, perSecond: number, blockBytes: number): Uint8Array {
  const blocks: Uint8Array[] = [uintElement(ID.Timestamp, at)];
  const n = Math.round((ms / 1000) * perSecond);
  for (let i = 0; i < n; i++) {
    const block = new Uint8Array(4 + blockBytes).fill((at / 1000 + i) % 251);
    block[0] = 0x81; // track 1
    new DataView(block.buffer).setInt16(1, Math.round((i * 1000) / perSecond));
    block[3] = i === 0 ? 0x80 : 0; // a keyframe starts each cluster
    blocks.push(element(ID.SimpleBlock, block));
  }
  return element(ID.Cluster, concat(blocks));
}
