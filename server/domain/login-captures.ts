import { createHash } from 'node:crypto';
import { ApiError } from '../http/api-error.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { EventLog } from './event-log.js';
import type { StoredExam } from './exam-store.js';
import type { Quotas } from './quotas.js';

export interface LoginCapture { bytes: Uint8Array; faceCheck: 'passed' | 'manual'; at: number }

/**
 * The camera frame taken at login (R2), kept as evidence with the path used: `passed` (the
 * device's face gate accepted it) or `manual` (the non-face path: the proctor checks identity
 * live). Content-addressed, so a device sending it again (from its outbox) changes nothing.
 */
export async function storeLoginCapture(d: { blobs: BlobStore; events: EventLog; quotas: Quotas }, exam: StoredExam, candidate: string, c: LoginCapture): Promise<string> {
  const { bytes } = c;
  if (bytes.length < 100 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new ApiError(400, 'bad_request', 'the body is not a JPEG image');
  const sha = createHash('sha256').update(bytes).digest('hex');
  const id = `capture-${sha.slice(0, 32)}`;
  const examId = exam.config.id;
  if (await d.events.has(examId, candidate, id)) return sha;
  await d.quotas.loginCapture(exam, candidate);
  await d.blobs.put(`captures/${examId}/${candidate}/${sha}.jpg`, bytes);
  await d.events.add(examId, candidate, [{ id, type: 'login-capture', at: c.at, detail: { sha256: sha, bytes: bytes.length, faceCheck: c.faceCheck } }]);
  return sha;
}
