import { createHash } from 'node:crypto';
import type { BlobStore } from '../storage/blob-store.js';

/**
 * Whose recording this is: from the device upload credential. With `device`, only the device that
 * created a recording may add to it (after a takeover the old device still uploads its own).
 */
export interface Owner { exam: string; candidate: string; device?: string }

/** Where a chunk's bytes are kept: content-addressed, so two racing bodies for one key never overwrite each other. */
export function chunkKey(owner: Owner, id: string, segment: number, seq: number, hex: string): string {
  return `recordings/${owner.exam}/${owner.candidate}/${id}/${segment}/${seq}-${hex}.webm-chunk`;
}

/** A chunk's digest, as the chain (src/core/hash-chain.ts) takes it. */
export const sha256 = (b: Uint8Array): Promise<Uint8Array> => Promise.resolve(new Uint8Array(createHash('sha256').update(b).digest()));

/** Where one chunk's bytes are: its own key, or a place in a pack (a framed request's file). */
export interface ChunkPlace {
  recordingId: string;
  segment: number;
  seq: number;
  sha256: string;
  size: number;
  pack: string | null;
  pack_offset: number | null;
}

/** A pack of an owner's chunks: under the candidate's prefix, so retention's deleteTree takes it. */
export function packKey(owner: Owner, name: string): string {
  return `recordings/${owner.exam}/${owner.candidate}/packs/${name}.webm-chunks`;
}

/** Bytes [start, end) of one chunk (clamped to it), or null when the store has none of it. */
export async function readChunkRange(store: BlobStore, owner: Owner, c: ChunkPlace, start: number, end: number): Promise<Uint8Array | null> {
  const [from, to] = [Math.max(0, start), Math.min(end, c.size)];
  if (c.pack !== null) {
    const at = c.pack_offset ?? 0;
    const bytes = await store.readRange(c.pack, at + from, at + Math.max(from, to));
    // A pack cut short (a crash before its sync) holds none of this chunk: as good as missing.
    return bytes && bytes.length === Math.max(0, to - from) ? bytes : null;
  }
  return store.readRange(chunkKey(owner, c.recordingId, c.segment, c.seq, c.sha256), from, to);
}

/** One chunk's bytes as stored (all of its own key's value, however long), or null when the store has none of it. */
export async function readChunk(store: BlobStore, owner: Owner, c: ChunkPlace): Promise<Uint8Array | null> {
  if (c.pack !== null) return readChunkRange(store, owner, c, 0, c.size);
  const stream = await store.read(chunkKey(owner, c.recordingId, c.segment, c.seq, c.sha256));
  if (!stream) return null;
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}
