import type { LayoutCache } from '../media/layout-cache.js';
import type { Owner, Recordings } from './recordings.js';

/**
 * Indexes a verified recording's segments for review as soon as it is complete, in the
 * background and one segment at a time (the end of an exam is the server's busiest moment), so
 * that a reviewer's first open does not wait for a pass over an hour of video.
 */
export class ReviewIndexer {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly recordings: Recordings, private readonly layouts: LayoutCache, private readonly log: (line: string) => void) {}

  warm(owner: Owner, id: string): void {
    this.queue = this.queue.then(async () => {
      const { segments } = await this.recordings.status(owner, id);
      for (const s of segments) {
        const { source, tag, index } = await this.recordings.segmentSource(owner, id, s.segment);
        if (index) await this.layouts.get(tag, source, index);
      }
    }).catch((err: unknown) => this.log(`review index of ${id}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Resolves when everything asked so far is indexed (tests). */
  idle(): Promise<void> {
    return this.queue;
  }
}
