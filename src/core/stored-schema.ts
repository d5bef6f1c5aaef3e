import { z } from 'zod';
import { CandidateMe } from './api-schema.js';

/** What the device keeps between visits; read back through these schemas, never trusted raw. */
export const StoredSession = z.object({
  role: z.enum(['candidate', 'proctor']),
  examId: z.string(),
  token: z.string(),
  tokenExpiresAt: z.number(),
  refreshToken: z.string(),
});
export type StoredSession = z.infer<typeof StoredSession>;

/**
 * The device upload credential: kept apart from the session, so that logging out, a takeover or
 * an expired session never strands evidence recorded on this device.
 */
export const StoredUploadCredential = z.object({ examId: z.string(), token: z.string(), expiresAt: z.number() });
export type StoredUploadCredential = z.infer<typeof StoredUploadCredential>;

export const StoredClock = z.object({
  serverAnchor: z.number(), monoAnchor: z.number(), wallAnchor: z.number(), rtt: z.number(), carriedError: z.number(),
});

/** The last /me reply with the server time it was fetched at, for an offline reload. */
export const StoredSnapshot = z.object({ me: CandidateMe, savedAt: z.number() });
export type StoredSnapshot = z.infer<typeof StoredSnapshot>;
