import { uploadCredentialFor } from '../storage/credentials.js';
import { listRecordings } from '../storage/recording-store.js';
import { syncRecording, type UploadDeps, type UploadOutcome } from './uploader.js';
import { flushOutbox, type OutboxOutcome } from './outbox-sender.js';

/** The outbox's entry in the outcome map: not a recording, so no screen shows it. */
export const OUTBOX_KEY = 'outbox';

export const UPLOAD_SYNC_TAG = 'invigil-upload';

/**
 * Sends the outbox (events and chat: small, first) and uploads every unverified recording on this
 * device, now and whenever the link may allow.
 */
export async function syncAll(deps: UploadDeps): Promise<Map<string, UploadOutcome>> {
  const out = new Map<string, UploadOutcome>();
  const outbox: OutboxOutcome = await flushOutbox(deps).catch(() => ({ state: 'retry' }));
  if (outbox.state !== 'done') {
    out.set(OUTBOX_KEY, { state: outbox.state, recordedBytes: 0, verifiedBytes: 0, ...(outbox.retryAfterMs === undefined ? {} : { retryAfterMs: outbox.retryAfterMs }) });
  }
  for (const rec of await listRecordings()) {
    if (rec.state === 'verified' || rec.problem) continue;
    out.set(rec.id, await syncRecording(rec.id, deps));
  }
  return out;
}

/** Same-origin upload with the credentials this device keeps, per candidate (page and service worker alike). */
export const deviceUploadDeps: UploadDeps = {
  base: '',
  credential: uploadCredentialFor,
};
