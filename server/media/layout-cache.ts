import type { BlobStore } from '../storage/blob-store.js';
import type { ByteSource } from './byte-source.js';
import { indexWebm, playableLayout, type PlayableWebm, type WebmIndex } from './playable-webm.js';
import { Lru } from '../lru.js';

/** Where a segment's index is kept beside its chunks (so retention's deleteTree takes it too). */
export interface IndexPlace { store: BlobStore; key: string }

/**
 * The index of a segment (found in one pass over its stored chunks), kept for the next request of
 * the same bytes: a player asks for many ranges of one file, and the review page for the lengths
 * of every segment. Keyed by a tag naming exactly those bytes; the least recently used go first.
 * A complete segment's index is also stored beside its chunks: a 60-minute segment is read once,
 * not again after every restart or eviction (reading it took ~1.5 s on the review's first open).
 */
export class LayoutCache {
  private readonly layouts: Lru<string, Promise<PlayableWebm>>;

  constructor(kept = 64) {
    this.layouts = new Lru(kept);
  }

  get(tag: string, source: ByteSource, place?: IndexPlace): Promise<PlayableWebm> {
    const hit = this.layouts.get(tag);
    if (hit) return hit;
    const made = load(source, place).then(playableLayout);
    this.layouts.set(tag, made);
    made.catch(() => this.layouts.delete(tag));
    return made;
  }
}

async function load(source: ByteSource, place?: IndexPlace): Promise<WebmIndex> {
  if (place) {
    const saved = await readAll(await place.store.read(place.key));
    const ix = saved && decodeIndex(saved);
    if (ix) return ix;
  }
  const ix = await indexWebm(source);
  if (place) await place.store.put(place.key, encodeIndex(ix));
  return ix;
}

async function readAll(stream: AsyncIterable<Uint8Array> | null): Promise<Uint8Array | null> {
  if (!stream) return null;
  const parts: Uint8Array[] = [];
  for await (const p of stream) parts.push(p);
  return Buffer.concat(parts);
}

export function encodeIndex(ix: WebmIndex): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, ...ix, info: Buffer.from(ix.info).toString('base64'), tracks: Buffer.from(ix.tracks).toString('base64') }));
}

/** The stored index, or null when it is not one (then it is made again from the chunks). */
export function decodeIndex(bytes: Uint8Array): WebmIndex | null {
  try {
    const o = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Record<keyof WebmIndex | 'v', unknown>>;
    if (o.v !== 1 || typeof o.info !== 'string' || typeof o.tracks !== 'string' || !Array.isArray(o.clusters)) return null;
    if (typeof o.headerEnd !== 'number' || typeof o.timestampScale !== 'number' || typeof o.cueTrack !== 'number') return null;
    return {
      headerEnd: o.headerEnd, timestampScale: o.timestampScale, cueTrack: o.cueTrack,
      info: new Uint8Array(Buffer.from(o.info, 'base64')), tracks: new Uint8Array(Buffer.from(o.tracks, 'base64')),
      clusters: o.clusters as WebmIndex['clusters'],
    };
  } catch {
    return null;
  }
}
