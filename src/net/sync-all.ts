import { uploadCredentialFor } from '../storage/credentials.js';
import { deviceSnapshot } from '../storage/recording-store.js';
import { serverKnows, syncRecording, type UploadDeps, type UploadOutcome } from './uploader.js';
import { flushOutbox, type OutboxOutcome } from './outbox-sender.js';
import { uploadLedger, type UploadLedger } from './upload-ledger.js';
import { SectionBatch } from './section-batch.js';
import type { LocalRecording } from '../core/stored-schema.js';

/** The outbox's entry in the outcome map: not a recording, so no screen shows it. */
export const OUTBOX_KEY = 'outbox';

export const UPLOAD_SYNC_TAG = 'invigil-upload';

/**
 * Sends the outbox (events and chat) and uploads every unverified recording on this
 * device, now and whenever the link may allow. One read decides what to do — none while this
 * context's ledger knows the store (src/net/upload-ledger.ts); `full` reads it anyway. A recording
 * still being recorded with nothing waiting costs nothing more, however long the exam.
 */
export async function syncAll(deps: UploadDeps, opts: { full?: boolean; ledger?: UploadLedger; outboxKey?: number } = {}): Promise<Map<string, UploadOutcome>> {
  const ledger = opts.ledger ?? uploadLedger;
  if (opts.full) {
    // The link returned, the page came back into view, a timer: the outbox is read too (an item
    // a context wrote and could not announce — it closed between the two — is found here).
    ledger.forget();
    ledger.outbox.forget();
  }
  // The page logged an event and asked for this pass: the pass knows of it (its notice may lag).
  // (A full pass reads the outbox anyway: no wait.)
  if (opts.outboxKey !== undefined) await ledger.outbox.caughtUp(opts.outboxKey);
  const out = new Map<string, UploadOutcome>();
  const mark = ledger.mark();
  const snap = ledger.snapshot() ?? ledger.took(mark, await deviceSnapshot());
  // The outbox (small) and every recording at once, each on its own request: the first chunk
  // bytes do not wait for the events' round trip, nor one recording's for another's.
  const outbox = snap.outbox > 0 ? flushOutbox(deps, { mirror: ledger.outbox }).catch((): OutboxOutcome => ({ state: 'retry' })) : null;
  const recordings = snap.recordings.filter((rec) => rec.state !== 'verified' && !rec.problem);
  const idle = (rec: LocalRecording) => rec.state === 'recording' && !snap.pending.has(rec.id) && serverKnows(rec.id);
  const batches = liveBatches(recordings.filter((rec) => !idle(rec)));
  const outcomes = await Promise.all(recordings.map(async (rec): Promise<[string, UploadOutcome]> => {
    if (idle(rec)) return [rec.id, { state: 'uploading', recordedBytes: rec.bytes, verifiedBytes: Math.min(rec.uploadedBytes, rec.bytes) }];
    const sections = batches.get(rec.id);
    try {
      return [rec.id, await syncRecording(rec.id, sections ? { ...deps, sections } : deps, ledger, rec)];
    } finally {
      sections?.leave(rec.id);
    }
  }));
  const sent = await outbox;
  // `busy`: another context is sending it now — and may fail (its link, its credential). The
  // outbox stays in the outcome, still to do, so the page's scheduler looks again: without it a
  // pass that also found every recording verified would leave an early end on the device until
  // something else asked for a pass.
  if (sent && sent.state !== 'done') {
    out.set(OUTBOX_KEY, { state: sent.state, recordedBytes: 0, verifiedBytes: 0, ...(sent.retryAfterMs === undefined ? {} : { retryAfterMs: sent.retryAfterMs }) });
  }
  for (const [id, outcome] of outcomes) out.set(id, outcome);
  return out;
}

/**
 * The recordings a pass sends live (recording, the server's list known), by candidate: each
 * candidate's go up in one request (camera and screen together), not one request each.
 */
function liveBatches(recordings: LocalRecording[]): Map<string, SectionBatch> {
  const byCandidate = new Map<string, string[]>();
  for (const rec of recordings) {
    if (rec.state !== 'recording' || !serverKnows(rec.id)) continue;
    const key = JSON.stringify([rec.examId, rec.candidateId]);
    byCandidate.set(key, [...(byCandidate.get(key) ?? []), rec.id]);
  }
  const out = new Map<string, SectionBatch>();
  for (const ids of byCandidate.values()) {
    if (ids.length < 2) continue;
    const batch = new SectionBatch(ids);
    for (const id of ids) out.set(id, batch);
  }
  return out;
}

/** Same-origin upload with the credentials this device keeps, per candidate (page and service worker alike). */
export const deviceUploadDeps: UploadDeps = {
  base: '',
  credential: uploadCredentialFor,
};
