import { kvGet } from '../storage/kv.js';
import { listRecordings } from '../storage/recording-store.js';
import { syncRecording, type UploadDeps, type UploadOutcome } from './uploader.js';

export const UPLOAD_SYNC_TAG = 'invigil-upload';

/** Uploads every unverified recording on this device, now and whenever the link may allow. */
export async function syncAll(deps: UploadDeps): Promise<Map<string, UploadOutcome>> {
  const out = new Map<string, UploadOutcome>();
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
