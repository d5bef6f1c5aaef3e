import { z } from 'zod';
import { ReviewCase } from '../core/review-schema.js';
import type { PlacedSegment } from '../core/review.js';
import type { SessionStore } from '../net/session-store.js';

const Ticket = z.object({ ticket: z.string(), expiresAt: z.number() });

export interface LoadedCase {
  data: ReviewCase;
  /** A segment's URL for a <video> (with the media ticket: a <video> sends no Authorization header). */
  urlOf(s: Pick<PlacedSegment, 'recording' | 'segment'>): string;
}

/** One candidate's case and a media ticket for its segments; `report` logs the view as the report's. */
export async function loadCase(store: SessionStore, candidate: string, report = false): Promise<LoadedCase> {
  const path = `/api/review/candidates/${encodeURIComponent(candidate)}`;
  const [data, { ticket }] = await Promise.all([
    store.api.authed('GET', `${path}/case${report ? '?for=report' : ''}`, ReviewCase),
    store.api.authed('POST', `${path}/media-ticket`, Ticket),
  ]);
  return {
    data,
    urlOf: (s) => `${path}/recordings/${encodeURIComponent(s.recording)}/segments/${s.segment}?ticket=${encodeURIComponent(ticket)}`,
  };
}
