import type { ByteSource } from './byte-source.js';
import { indexWebm, playableLayout, type PlayableWebm } from './playable-webm.js';

/**
 * The index of a segment (found in one pass over its stored chunks), kept for the next request of
 * the same bytes: a player asks for many ranges of one file, and the review page for the lengths
 * of every segment. Keyed by a tag naming exactly those bytes; the least recently used go first.
 */
export class LayoutCache {
  private readonly layouts = new Map<string, Promise<PlayableWebm>>();

  constructor(private readonly kept = 64) {}

  get(tag: string, source: ByteSource): Promise<PlayableWebm> {
    let hit = this.layouts.get(tag);
    if (hit) this.layouts.delete(tag);
    else hit = indexWebm(source).then(playableLayout);
    this.layouts.set(tag, hit);
    hit.catch(() => this.layouts.delete(tag));
    const oldest = this.layouts.keys().next();
    if (this.layouts.size > this.kept && !oldest.done) this.layouts.delete(oldest.value);
    return hit;
  }
}
