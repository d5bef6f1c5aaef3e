import type { LocalRecording } from '../core/stored-schema.js';
import type { RecordingStatus } from '../core/recording-schema.js';
import { getRecording, markPending, markUploaded, markVerified, pendingBatch, setProblem, type LocalChunk, type PendingBatch } from '../storage/recording-store.js';
import { cutChunks, locksOf, markSent, Offline, Problem, Retry, UploadApi, type UploadDeps } from './upload-api.js';
import { uploadLedger, type UploadLedger } from './upload-ledger.js';

export { CREDENTIAL_PROBLEM, type UploadDeps } from './upload-api.js';

interface Bytes { recordedBytes: number; verifiedBytes: number }
export type UploadOutcome =
  | ({ state: 'verified' | 'uploading' | 'busy' } & Bytes)
  | ({ state: 'offline' | 'retry'; retryAfterMs?: number } & Bytes)
  | ({ state: 'problem'; problem: string } & Bytes);

/** An outcome that failed for now (no link, or the server asked to come back): to be retried. */
export const failedNow = (o: UploadOutcome): boolean => o.state === 'offline' || o.state === 'retry';

/**
 * Brings one recording's server copy up to date: asks what the server holds, sends only the
 * missing chunks (in any order, after any drop), and once the recording is stopped and complete,
 * asks the server to verify the chain; only then are local chunks deleted. One uploader per
 * recording at a time across page and service worker (Web Lock), and one pass at a time here.
 */
export async function syncRecording(id: string, deps: UploadDeps, ledger: UploadLedger = uploadLedger, known?: LocalRecording): Promise<UploadOutcome> {
  if (running.has(id)) return { state: 'busy', ...(await bytesOf(id)) };
  running.add(id);
  try {
    return await underLock(id, deps, () => runSync(id, deps, ledger, known));
  } finally {
    running.delete(id);
  }
}

/** Recordings a pass of this context is uploading now. */
const running = new Set<string>();
/**
 * Upload locks this context keeps between passes (`deps.keepLiveLock`): the recorder worker's, of
 * the recordings it records, while they upload live. A pass then asks the browser for no lock — a
 * round trip to it, ≈ 0.5–1 ms of each pass measured — and another context finds the recording
 * busy, as it would during the pass. Released at the first pass that ends otherwise (stopped and
 * verified, offline, a failure), and by the browser when the worker ends.
 */
const kept = new Map<string, () => void>();

async function underLock(id: string, deps: UploadDeps, run: () => Promise<UploadOutcome>): Promise<UploadOutcome> {
  const locks = locksOf(deps);
  if (!locks) return run();
  const release = kept.get(id);
  if (release) {
    let outcome: UploadOutcome | undefined;
    try {
      outcome = await run();
      return outcome;
    } finally {
      if (outcome?.state !== 'uploading') {
        kept.delete(id);
        release();
      }
    }
  }
  return new Promise<UploadOutcome>((resolve, reject) => {
    locks.request(`invigil-upload:${id}`, { ifAvailable: true }, async (lock: Lock | null) => {
      if (!lock) return resolve({ state: 'busy', ...(await bytesOf(id)) });
      const outcome = await run();
      resolve(outcome);
      // Held until released: the promise the lock waits on.
      if (deps.keepLiveLock && outcome.state === 'uploading') await new Promise<void>((done) => kept.set(id, done));
    }).catch(reject);
  });
}

/**
 * What the server is known to hold, per recording, in this page or worker. Asked for once (and
 * again after any failure), not on every pass: a live upload then costs one PUT per chunk.
 */
interface ServerView {
  held: Map<string, string>;
  segments: Set<number>;
  partial: Map<string, { sha256: string; bytes: number }>;
  /** The server lists the cut bodies it holds (an older one tells of them only when asked by HEAD). */
  listsPartial: boolean;
}
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
    listsPartial: status.partial !== undefined,
  };
}

/**
 * A status read after a cut lists what the server kept of every body cut before it: a cut chunk
 * it does not list has nothing to resume from and goes whole with the others (no HEAD to ask).
 * Behind several processes a prefix kept by another one is not listed — a HEAD would reach any of
 * them too — and the chunk goes whole: bytes, never evidence.
 */
function resumeOnlyListed(id: string, view: ServerView): void {
  if (!view.listsPartial) return;
  for (const key of [...cutChunks]) {
    if (key.startsWith(`${id}/`) && !view.partial.has(key.slice(id.length + 1))) markSent(key);
  }
}

/**
 * Chunks read (with their bytes) per database read while sending a backlog, and framed in one
 * request (the server takes up to 256): a few requests for a long backlog, each bounded.
 */
export const BATCH = 64;

/**
 * `known`: the recording as the caller last read it (a snapshot): the server's view of it is
 * asked for while the store is read, not after — one round trip less before the first byte.
 */
async function runSync(id: string, deps: UploadDeps, ledger: UploadLedger, known?: LocalRecording): Promise<UploadOutcome> {
  const mark = ledger.mark();
  const early = known && known.state !== 'verified' && !views.has(id) ? new UploadApi(deps, known).ensure(known) : null;
  early?.catch(() => undefined); // awaited below, or its failure met again there
  // Recording live with the server's list known: what was stored since the last pass is in memory.
  const memory = serverKnows(id) ? ledger.fromMemory(id) : null;
  if (!memory) await ledger.settled();
  const batch = memory ? { ...memory, last: undefined } : await pendingBatch(id, BATCH);
  const rec = batch.rec;
  if (!rec) throw new Error(`no recording ${id}`);
  if (rec.state === 'verified') return { state: 'verified', recordedBytes: rec.bytes, verifiedBytes: rec.bytes };
  const api = new UploadApi(deps, rec);
  try {
    let view = views.get(id);
    if (!view) {
      view = viewOf(await (early ?? api.ensure(rec)));
      views.set(id, view);
      resumeOnlyListed(id, view);
    }
    let latest: LocalRecording;
    if (memory) {
      await sendSegments(api, rec, view);
      latest = await sendChunks(api, batch.chunks, view, ledger, false, rec);
    } else {
      latest = await drain(api, { ...batch, rec }, view, ledger);
      ledger.drained(id, mark, latest);
    }
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

/**
 * Sends a backlog read from the store, a batch a request, with the next request on its way
 * before the reply to the one before (two in flight): the link does not idle for a round trip, the
 * server's last write and the device's database between requests. Returns the recording as its
 * acknowledgements left it; a failure is thrown once nothing is in flight any more.
 */
async function drain(api: UploadApi, first: PendingBatch & { rec: LocalRecording }, view: ServerView, ledger: UploadLedger): Promise<LocalRecording> {
  let batch: PendingBatch = first;
  let latest = first.rec;
  const inFlight: Promise<LocalRecording>[] = [];
  const state = { failed: false };
  try {
    while (!state.failed) {
      // Read with its chunks, the recording names every segment they belong to.
      const rec = batch.rec ?? latest;
      await sendSegments(api, rec, view);
      const sending = sendChunks(api, batch.chunks, view, ledger, true, rec);
      // Awaited below, in turn or at the end; a failure sends nothing more.
      sending.catch(() => {
        state.failed = true;
      });
      inFlight.push(sending);
      const next = batch.chunks.length >= BATCH && batch.last ? pendingBatch(api.id, BATCH, batch.last) : null;
      const earlier = inFlight.length > 1 ? inFlight.shift() : undefined;
      if (earlier) latest = newer(latest, await earlier);
      if (!next) break;
      batch = await next;
    }
    for (const sending of inFlight.splice(0)) latest = newer(latest, await sending);
    return latest;
  } finally {
    await Promise.allSettled(inFlight);
  }
}

/** Of two views of one recording after acknowledgements, the one that counts more of them. */
function newer(a: LocalRecording, b: LocalRecording): LocalRecording {
  return b.uploadedBytes >= a.uploadedBytes ? b : a;
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
 * Sends what the server lacks of `chunks`: runs of several in one framed request (v2), each chunk
 * acknowledged as the server reports it stored; the resume of a cut one beside it, and a lone
 * chunk and everything for a server without v2, one PUT each (v1). Returns the recording as it then
 * stands (awaited acknowledgements), or as counted (`wait` false: a pass from memory).
 */
async function sendChunks(api: UploadApi, chunks: LocalChunk[], view: ServerView, ledger: UploadLedger, wait: boolean, rec: LocalRecording): Promise<LocalRecording> {
  let latest = rec;
  /** The server holds these: acknowledged together (one write). */
  const settle = async (acked: LocalChunk[]) => {
    if (acked.length === 0) return;
    for (const chunk of acked) view.held.set(`${chunk.segment}/${chunk.seq}`, chunk.sha256);
    const written = ledger.sent(acked, markUploaded);
    // Not awaited on a pass from memory: the ledger reads the store again after a failed write.
    if (!wait) written.catch(() => undefined);
    latest = (wait ? await written : undefined) ?? { ...latest, uploadedBytes: latest.uploadedBytes + acked.reduce((n, c) => n + c.size, 0) };
  };
  let run: LocalChunk[] = [];
  const flush = async () => {
    const group = run;
    run = [];
    let done = 0;
    try {
      // A lone chunk is a PUT — unless it goes with the pass's other recordings' chunks.
      done = group.length > 1 || (group.length === 1 && api.batched) ? await api.frames(group) : 0;
    } catch (err) {
      // Cut mid-body: which frames were stored is asked on the next pass.
      if (err instanceof Offline) views.delete(api.id);
      throw err;
    }
    await settle(group.slice(0, done));
    // Not taken by the framed request (a refused frame, or a lone chunk): one PUT each.
    for (const chunk of group.slice(done)) {
      await api.chunk(chunk.segment, chunk.seq, chunk.blob, chunk.sha256);
      await settle([chunk]);
    }
  };
  let resumed = false;
  let resume: Promise<void> | null = null;
  for (const chunk of chunks) {
    const key = `${chunk.segment}/${chunk.seq}`;
    const theirs = view.held.get(key);
    if (theirs !== undefined && theirs !== chunk.sha256) {
      await resume?.catch(() => undefined);
      throw new Problem(`chunk ${key}: the server holds different bytes`);
    }
    const part = view.partial.get(key);
    const heldBytes = part?.sha256 === chunk.sha256 ? part.bytes : undefined;
    const cut = cutChunks.has(`${api.id}/${key}`) || heldBytes !== undefined;
    view.partial.delete(key);
    if (theirs !== undefined) {
      await settle([chunk]);
      continue;
    }
    if (!api.framesTaken) {
      await api.chunk(chunk.segment, chunk.seq, chunk.blob, chunk.sha256, heldBytes);
      await settle([chunk]);
      continue;
    }
    if (cut && !resumed) {
      // Only one chunk of a recording is ever resumed: it goes on its own (asking what the server
      // holds of it, then the rest) beside the framed request of the chunks after it.
      resumed = true;
      resume = api.chunk(chunk.segment, chunk.seq, chunk.blob, chunk.sha256, heldBytes).then(() => settle([chunk]));
      resume.catch(() => undefined); // awaited below
      continue;
    }
    if (cut) markSent(`${api.id}/${key}`);
    run.push(chunk);
  }
  const outcomes = await Promise.allSettled([flush(), resume]);
  const failure = outcomes.find((o) => o.status === 'rejected');
  if (failure) throw failure.reason;
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
