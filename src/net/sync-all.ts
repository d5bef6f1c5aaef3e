import { uploadCredentialFor } from '../storage/credentials.js';
import { deviceSnapshot } from '../storage/recording-store.js';
import { serverKnows, syncRecording, type UploadDeps, type UploadOutcome } from './uploader.js';
import { flushOutbox, type OutboxOutcome } from './outbox-sender.js';

/** The outbox's entry in the outcome map: not a recording, so no screen shows it. */
export const OUTBOX_KEY = 'outbox';

export const UPLOAD_SYNC_TAG = 'invigil-upload';

/**
 * Sends the outbox (events and chat: small, first) and uploads every unverified recording on this
 * device, now and whenever the link may allow. One read decides what to do: a recording still
 * being recorded with nothing waiting costs nothing more, however long the exam.
 */
export async function syncAll(deps: UploadDeps): Promise<Map<string, UploadOutcome>> {
  const out = new Map<string, UploadOutcome>();
  const snap = await deviceSnapshot();
  if (snap.outbox > 0) {
    const outbox: OutboxOutcome = await flushOutbox(deps).catch(() => ({ state: 'retry' }));
    if (outbox.state !== 'done') {
      out.set(OUTBOX_KEY, { state: outbox.state, recordedBytes: 0, verifiedBytes: 0, ...(outbox.retryAfterMs === undefined ? {} : { retryAfterMs: outbox.retryAfterMs }) });
    }
  }
  for (const rec of snap.recordings) {
    if (rec.state === 'verified' || rec.problem) continue;
    if (rec.state === 'recording' && !snap.pending.has(rec.id) && serverKnows(rec.id)) {
      out.set(rec.id, { state: 'uploading', recordedBytes: rec.bytes, verifiedBytes: Math.min(rec.uploadedBytes, rec.bytes) });
      continue;
    }
    out.set(rec.id, await syncRecording(rec.id, deps));
  }
  return out;
}

/** Same-origin upload with the credentials this device keeps, per candidate (page and service worker alike). */
export const deviceUploadDeps: UploadDeps = {
  base: '',
  credential: uploadCredentialFor,
};
