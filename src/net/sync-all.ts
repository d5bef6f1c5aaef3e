import { uploadCredentialFor } from '../storage/credentials.js';
import { deviceSnapshot } from '../storage/recording-store.js';
import { serverKnows, syncRecording, type UploadDeps, type UploadOutcome } from './uploader.js';
import { flushOutbox, type OutboxOutcome } from './outbox-sender.js';
import { uploadLedger, type UploadLedger } from './upload-ledger.js';

/** The outbox's entry in the outcome map: not a recording, so no screen shows it. */
export const OUTBOX_KEY = 'outbox';

export const UPLOAD_SYNC_TAG = 'invigil-upload';

/**
 * Sends the outbox (events and chat: small, first) and uploads every unverified recording on this
 * device, now and whenever the link may allow. One read decides what to do — none while this
 * context's ledger knows the store (src/net/upload-ledger.ts); `full` reads it anyway. A recording
 * still being recorded with nothing waiting costs nothing more, however long the exam.
 */
export async function syncAll(deps: UploadDeps, opts: { full?: boolean; ledger?: UploadLedger } = {}): Promise<Map<string, UploadOutcome>> {
  const ledger = opts.ledger ?? uploadLedger;
  if (opts.full) ledger.forget();
  const out = new Map<string, UploadOutcome>();
  const mark = ledger.mark();
  const snap = ledger.snapshot() ?? ledger.took(mark, await deviceSnapshot());
  if (snap.outbox > 0) {
    const outbox: OutboxOutcome = await flushOutbox(deps).catch(() => ({ state: 'retry' }));
    if (outbox.state === 'done') ledger.outboxSent(mark);
    else {
      out.set(OUTBOX_KEY, { state: outbox.state, recordedBytes: 0, verifiedBytes: 0, ...(outbox.retryAfterMs === undefined ? {} : { retryAfterMs: outbox.retryAfterMs }) });
    }
  }
  for (const rec of snap.recordings) {
    if (rec.state === 'verified' || rec.problem) continue;
    if (rec.state === 'recording' && !snap.pending.has(rec.id) && serverKnows(rec.id)) {
      out.set(rec.id, { state: 'uploading', recordedBytes: rec.bytes, verifiedBytes: Math.min(rec.uploadedBytes, rec.bytes) });
      continue;
    }
    out.set(rec.id, await syncRecording(rec.id, deps, ledger));
  }
  return out;
}

/** Same-origin upload with the credentials this device keeps, per candidate (page and service worker alike). */
export const deviceUploadDeps: UploadDeps = {
  base: '',
  credential: uploadCredentialFor,
};
