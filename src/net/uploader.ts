import type { LocalRecording } from '../core/stored-schema.js';
import type { RecordingStatus } from '../core/recording-schema.js';
import { getRecording, markPending, markUploaded, markVerified, pendingBatch, setProblem, type LocalChunk } from '../storage/recording-store.js';
import { cutChunks, markSent, Offline, Problem, Retry, UploadApi, type UploadDeps } from './upload-api.js';
import { uploadLedger, type UploadLedger } from './upload-ledger.js';

export { CREDENTIAL_PROBLEM, type UploadDeps } from './upload-api.js';

interface Bytes { recordedBytes: number; verifiedBytes: number }
export type UploadOutcome =
  | ({ state: 'verified' | 'uploading' | 'busy' } & Bytes)
  | ({ state: 'offline' | 'retry'; retryAfterMs?: number } & Bytes)
  | ({ state: 'problem'; problem: string } & Bytes);


/**
 * Brings one recording's server copy up to date: asks what the server holds, sends only the
 * missing chunks (in any order, after any drop), and once the recording is stopped and complete,
 * asks the server to verify the chain; only then are local chunks deleted. One uploader per
 * recording at a time across page and service worker (Web Lock).
 */
export async function syncRecording(id: string, deps: UploadDeps, ledger: UploadLedger = uploadLedger): Promise<UploadOutcome> {
  // `navigator.locks` exists on pages and in workers alike (NavigatorLocks).
  const locks = deps.locks ?? (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return runSync(id, deps, ledger);
  const result = await locks.request(`invigil-upload:${id}`, { ifAvailable: true }, (lock: Lock | null) => (lock ? runSync(id, deps, ledger) : null));
  return result ?? { state: 'busy', ...(await bytesOf(id)) };
}

/**
 * What the server is known to hold, per recording, in this page or worker. Asked for once (and
 * again after any failure), not on every pass: a live upload then costs one PUT per chunk.
 */
interface ServerView { held: Map<string, string>; segments: Set<number>; partial: Map<string, { sha256: string; bytes: number }> }
const views = new Map<string, ServerView>();

/** This page or worker has read the server's view of the recording (its segments are announced). */
export function serverKnows(id: string): boolean {
  return views.has(id);
}

function viewOf(status: RecordingStatus): ServerView {
  return {
    held: new Map(status.segments.flatMap((s) => s.chunks.map((c) => [`${s.segment}/${c.seq}`, c.sha256] as const))),
    segments: new Set(status.segments.filter((s) => s.startedAt !== null).map((s) => s.segment)),
    // Bodies a cut left part-way on the server: resumed from there, whichever context saw the cut.
    partial: new Map((status.partial ?? []).map((p) => [`${p.segment}/${p.seq}`, { sha256: p.sha256, bytes: p.bytes }] as const)),
  };
}

/** Chunks read (with their bytes) per database read while sending a backlog. */
const BATCH = 16;

async function runSync(id: string, deps: UploadDeps, ledger: UploadLedger): Promise<UploadOutcome> {
  const mark = ledger.mark();
  // Recording live with the server's list known: what was stored since the last pass is in memory.
  const memory = serverKnows(id) ? ledger.fromMemory(id) : null;
  if (!memory) await ledger.settled();
  let batch = memory ? { ...memory, last: undefined } : await pendingBatch(id, BATCH);
  const rec = batch.rec;
  if (!rec) throw new Error(`no recording ${id}`);
  if (rec.state === 'verified') return { state: 'verified', recordedBytes: rec.bytes, verifiedBytes: rec.bytes };
  const api = new UploadApi(deps, rec);
  try {
    let view = views.get(id);
    if (!view) {
      view = viewOf(await api.ensure(rec));
      views.set(id, view);
    }
    let latest = rec;
    for (;;) {
      // Read with its chunks, the recording names every segment they belong to.
      await sendSegments(api, latest, view);
      latest = await sendChunks(api, batch.chunks, view, ledger, !memory, latest);
      if (memory || batch.chunks.length < BATCH || !batch.last) break;
      batch = await pendingBatch(id, BATCH, batch.last);
      latest = batch.rec ?? latest;
    }
    if (!memory) ledger.drained(id, mark, latest);
    if (latest.state !== 'stopped') return { state: 'uploading', ...bytesIn(latest) };
    const done = await api.complete(latest);
    if ('missing' in done) {
      // The server lacks chunks this device thought acknowledged: send them again.
      await markPending(done.missing.map((m) => [id, m.segment, m.seq]));
      views.delete(id);
      return { state: 'retry', ...(await bytesOf(id)) };
    }
    await markVerified(id, done.verifiedAt);
    views.delete(id);
    return { state: 'verified', recordedBytes: latest.bytes, verifiedBytes: done.bytes };
  } catch (err) {
    const bytes = await bytesOf(id);
    // Offline: what the server holds is still known (a chunk in flight is resent, idempotently).
    if (err instanceof Offline) return { state: 'offline', ...bytes };
    views.delete(id);
    ledger.forget(id);
    if (err instanceof Retry) return { state: 'retry', ...bytes, ...(err.afterMs === null ? {} : { retryAfterMs: err.afterMs }) };
    if (err instanceof Problem) {
      await setProblem(id, err.message);
      await api.reportProblem(err.message);
      return { state: 'problem', problem: err.message, ...bytes };
    }
    throw err;
  }
}

/** Announces the segments the server has not heard of (their start times place the chunks). */
async function sendSegments(api: UploadApi, rec: LocalRecording, view: ServerView): Promise<void> {
  for (const seg of rec.segments) {
    if (view.segments.has(seg.segment)) continue;
    await api.segment(seg);
    view.segments.add(seg.segment);
  }
}

/**
 * Sends what the server lacks of `chunks`, in order: runs of several in one framed request (v2),
 * each chunk acknowledged as the server reports it stored; a lone chunk, the resume of a cut one,
 * and everything for a server without v2, one PUT each (v1). Returns the recording as it then
 * stands (awaited acknowledgements), or as counted (`wait` false: a pass from memory).
 */
async function sendChunks(api: UploadApi, chunks: LocalChunk[], view: ServerView, ledger: UploadLedger, wait: boolean, rec: LocalRecording): Promise<LocalRecording> {
  let latest = rec;
  const ack = (chunk: LocalChunk) => {
    view.held.set(`${chunk.segment}/${chunk.seq}`, chunk.sha256);
    const acked = ledger.sent(chunk, markUploaded);
    if (!wait) acked.catch(() => undefined); // the ledger reads the store again after a failed write
    return wait ? acked : undefined;
  };
  const settle = async (chunk: LocalChunk) => {
    latest = (await ack(chunk)) ?? { ...latest, uploadedBytes: latest.uploadedBytes + chunk.size };
  };
  let run: LocalChunk[] = [];
  const flush = async () => {
    const group = run;
    run = [];
    let done = 0;
    try {
      done = group.length > 1 ? await api.frames(group) : 0;
    } catch (err) {
      // Cut mid-body: which frames were stored is asked on the next pass.
      if (err instanceof Offline) views.delete(api.id);
      throw err;
    }
    for (const chunk of group.slice(0, done)) await settle(chunk);
    // Not taken by the framed request (a refused frame, or a lone chunk): one PUT each.
    for (const chunk of group.slice(done)) {
      await api.chunk(chunk.segment, chunk.seq, chunk.blob, chunk.sha256);
      await settle(chunk);
    }
  };
  let resumed = false;
  for (const chunk of chunks) {
    const key = `${chunk.segment}/${chunk.seq}`;
    const theirs = view.held.get(key);
    if (theirs !== undefined && theirs !== chunk.sha256) throw new Problem(`chunk ${key}: the server holds different bytes`);
    const part = view.partial.get(key);
    const heldBytes = part?.sha256 === chunk.sha256 ? part.bytes : undefined;
    const cut = cutChunks.has(`${api.id}/${key}`) || heldBytes !== undefined;
    if (theirs !== undefined || (cut && !resumed) || !api.framesTaken) {
      await flush();
      if (theirs === undefined) await api.chunk(chunk.segment, chunk.seq, chunk.blob, chunk.sha256, heldBytes);
      view.partial.delete(key);
      resumed ||= cut && theirs === undefined;
      await settle(chunk);
      continue;
    }
    // Only one chunk of a recording is ever in flight: the first cut one resumes, the rest go whole.
    if (cut) markSent(`${api.id}/${key}`);
    run.push(chunk);
  }
  await flush();
  return latest;
}

async function bytesOf(id: string): Promise<Bytes> {
  const rec = await getRecording(id);
  return rec ? bytesIn(rec) : { recordedBytes: 0, verifiedBytes: 0 };
}

function bytesIn(rec: LocalRecording): Bytes {
  return { recordedBytes: rec.bytes, verifiedBytes: rec.state === 'verified' ? rec.bytes : Math.min(rec.uploadedBytes, rec.bytes) };
}

/** Tells the proctor's side about a recording's trouble (e.g. the device's disk is full); best effort. */
export async function reportProblem(id: string, problem: string, deps: UploadDeps): Promise<void> {
  const rec = await getRecording(id);
  if (rec) await new UploadApi(deps, rec).reportProblem(problem);
}
