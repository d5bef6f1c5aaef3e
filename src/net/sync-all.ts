import { kvGet } from '../storage/kv.js';
import { listRecordings } from '../storage/recording-store.js';
import { syncRecording, type UploadDeps, type UploadOutcome } from './uploader.js';
import { flushOutbox } from './outbox-sender.js';

/** The outbox's entry in the outcome map: not a recording, so no screen shows it. */
export const OUTBOX_KEY = 'outbox';

export const UPLOAD_SYNC_TAG = 'invigil-upload';

/**
 * Sends the outbox (events and chat: small, first) and uploads every unverified recording on this
 * device, now and whenever the link may allow.
 */
export async function syncAll(deps: UploadDeps): Promise<Map<string, UploadOutcome>> {
  const out = new Map<string, UploadOutcome>();
  const outbox = await flushOutbox(deps).catch(() => 'retry' as const);
  if (outbox !== 'done') out.set(OUTBOX_KEY, { state: outbox, recordedBytes: 0, verifiedBytes: 0 });
  for (const rec of await listRecordings()) {
    if (rec.state === 'verified' || rec.problem) continue;
    out.set(rec.id, await syncRecording(rec.id, deps));
  }
  return out;
}

/** Same-origin upload with the credential this device keeps (page and service worker alike). */
export const deviceUploadDeps: UploadDeps = {
  base: '',
  credential: async () => (await kvGet('uploadCredential'))?.token,
};
