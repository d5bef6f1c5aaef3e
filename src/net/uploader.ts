import { contentDigestHeader, fromHex } from '../core/hash-chain.js';
import { CompleteReply, FramesReply, RecordingStatus } from '../core/recording-schema.js';
import { encodeFrameHeader, FRAMES_TYPE } from '../core/upload-frames.js';
import type { LocalRecording } from '../core/stored-schema.js';
import type { Owner } from '../storage/credentials.js';
import { getRecording, markPending, markUploaded, markVerified, pendingBatch, setProblem, type LocalChunk } from '../storage/recording-store.js';
import { request, type FetchFn } from './http.js';
import { uploadLedger, type UploadLedger } from './upload-ledger.js';

/** Runs on the page and in the service worker: fetch, IndexedDB and Web Locks only, no DOM. */
export interface UploadDeps {
  /** Origin prefix for the API ('' for same-origin). */
  base: string;
  /**
   * The device upload credential of that exam's candidate (a shared PC holds several); `fresh`
   * reads it from the store, not from what this context keeps.
   */
  credential: (owner: Owner, fresh?: boolean) => Promise<string | undefined>;
  fetch?: FetchFn;
  locks?: LockManager;
}

interface Bytes { recordedBytes: number; verifiedBytes: number }
export type UploadOutcome =
  | ({ state: 'verified' | 'uploading' | 'busy' } & Bytes)
  | ({ state: 'offline' | 'retry'; retryAfterMs?: number } & Bytes)
  | ({ state: 'problem'; problem: string } & Bytes);

class Offline extends Error {}
class Retry extends Error {
  constructor(readonly afterMs: number | null) {
    super('retry');
  }
}
/** The server refused something for good: surfaced, never retried forever. */
class Problem extends Error {}

/** Problems a new sign-in of the candidate on this device clears (the credential was refused). */
export const CREDENTIAL_PROBLEM = 'credential refused';
const DIGEST_RETRIES = 3;
/**
 * Chunks whose body the link cut: their next attempt resumes. Told to every context of the origin
 * (the recorder worker, the service worker, pages): the retry is often another context's pass —
 * Background Sync in the service worker when the link returns.
 */
const cutChunks = new Set<string>();
const cutChannel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('invigil-cut-chunks') : null;
cutChannel?.addEventListener('message', (e: MessageEvent) => {
  const { cut, sent } = (e.data ?? {}) as { cut?: unknown; sent?: unknown };
  if (typeof cut === 'string') cutChunks.add(cut);
  if (typeof sent === 'string') cutChunks.delete(sent);
});
function markCut(key: string): void {
  cutChunks.add(key);
  cutChannel?.postMessage({ cut: key });
}
function markSent(key: string): void {
  if (cutChunks.delete(key)) cutChannel?.postMessage({ sent: key });
}

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
interface ServerView { held: Map<string, string>; segments: Set<number> }
const views = new Map<string, ServerView>();

/** This page or worker has read the server's view of the recording (its segments are announced). */
export function serverKnows(id: string): boolean {
  return views.has(id);
}

function viewOf(status: RecordingStatus): ServerView {
  return {
    held: new Map(status.segments.flatMap((s) => s.chunks.map((c) => [`${s.segment}/${c.seq}`, c.sha256] as const))),
    segments: new Set(status.segments.filter((s) => s.startedAt !== null).map((s) => s.segment)),
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
    const done = group.length > 1 ? await api.frames(group) : 0;
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
    const cut = cutChunks.has(`${api.id}/${key}`);
    if (theirs !== undefined || (cut && !resumed) || !api.framesTaken) {
      await flush();
      if (theirs === undefined) await api.chunk(chunk.segment, chunk.seq, chunk.blob, chunk.sha256);
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

type CompleteResult = { verifiedAt: number; bytes: number } | { missing: { segment: number; seq: number }[] };

/** The upload endpoints, with each kind of failure mapped to what the uploader does next. */
class UploadApi {
  private readonly owner: Owner;
  constructor(private readonly deps: UploadDeps, private readonly rec: LocalRecording) {
    this.owner = { examId: rec.examId, candidateId: rec.candidateId };
  }

  get id(): string {
    return this.rec.id;
  }

  /** The server takes framed requests (v2); an older one answers 404, and gets one PUT per chunk. */
  get framesTaken(): boolean {
    return !noFrames.has(this.deps.base);
  }

  /**
   * Sends several chunks in one framed request; returns how many of them, from the first, the
   * server stored (or held already). When the link drops mid-body the server kept every frame
   * before the cut and part of the one in flight: the next pass asks what it holds, and that
   * chunk's first attempt resumes (HEAD, then the rest).
   */
  async frames(chunks: LocalChunk[]): Promise<number> {
    const body = new Blob(chunks.flatMap((c) => [encodeFrameHeader({ segment: c.segment, seq: c.seq, size: c.blob.size, digest: fromHex(c.sha256) }), c.blob]));
    let res: Response;
    try {
      res = await this.send('POST', '/chunks', body, FRAMES_TYPE);
    } catch (err) {
      if (err instanceof NoFrames) {
        if (err.remember) noFrames.add(this.deps.base);
        return 0;
      }
      if (err instanceof Offline) {
        for (const c of chunks) markCut(`${this.rec.id}/${c.segment}/${c.seq}`);
        views.delete(this.rec.id); // which frames were stored is asked on the next pass
      }
      throw err;
    }
    const reply = FramesReply.parse(await res.json());
    let n = 0;
    while (n < chunks.length && reply.frames[n]?.segment === chunks[n]?.segment && reply.frames[n]?.seq === chunks[n]?.seq) n++;
    return n;
  }

  async ensure(rec: LocalRecording): Promise<RecordingStatus> {
    const res = await this.send('PUT', '', JSON.stringify({ kind: rec.kind, mimeType: rec.mimeType }), 'application/json');
    return RecordingStatus.parse(await res.json());
  }

  async segment(seg: LocalRecording['segments'][number]): Promise<void> {
    await this.send('PUT', `/segments/${seg.segment}`, JSON.stringify({ startedAt: seg.startedAt, mimeType: seg.mimeType }), 'application/json');
  }

  /**
   * Sends one chunk. After the link cut its body, the next attempt first asks how much arrived
   * (HEAD: `Upload-Offset`) and sends only the rest — or nothing, when the whole of it was stored
   * and only the reply was lost.
   */
  async chunk(segment: number, seq: number, blob: Blob, sha256: string): Promise<void> {
    const key = `${this.rec.id}/${segment}/${seq}`;
    const path = `/segments/${segment}/chunks/${seq}`;
    const digest = { 'content-digest': contentDigestHeader(fromHex(sha256)) };
    for (let attempt = 1; ; attempt++) {
      let offset = 0;
      if (attempt === 1 && cutChunks.has(key)) {
        const held = await this.held(path, digest);
        if (held?.complete) {
          markSent(key);
          return;
        }
        if (held && held.offset < blob.size) offset = held.offset;
      }
      try {
        if (offset > 0) await this.send('PUT', path, blob.slice(offset), 'application/octet-stream', { ...digest, 'upload-offset': String(offset) });
        else await this.send('PUT', path, blob, 'application/octet-stream', digest);
        markSent(key);
        return;
      } catch (err) {
        if (err instanceof Offline) markCut(key);
        // The server no longer holds what it said it had (another process, a restart): send it whole.
        if (err instanceof OffsetMismatch) continue;
        // A digest mismatch is corruption on the way: resend a few times, then report it.
        if (!(err instanceof DigestMismatch)) throw err;
        if (attempt >= DIGEST_RETRIES) throw new Problem(`chunk ${segment}/${seq}: the server received different bytes ${attempt} times`);
      }
    }
  }

  /** How much of a cut chunk body the server holds; null when it cannot say (the chunk then goes whole). */
  private async held(path: string, digest: Record<string, string>): Promise<{ offset: number; complete: boolean } | null> {
    try {
      const res = await this.send('HEAD', path, undefined, undefined, digest);
      const offset = Number(res.headers.get('upload-offset'));
      return Number.isSafeInteger(offset) && offset >= 0 ? { offset, complete: res.headers.get('upload-complete') === '?1' } : null;
    } catch (err) {
      if (err instanceof Offline) throw err;
      return null;
    }
  }

  /** Tells the proctor's side; best effort (the local record is what the candidate sees). */
  async reportProblem(problem: string): Promise<void> {
    await this.send('PUT', '/problem', JSON.stringify({ problem }), 'application/json').catch(() => undefined);
  }

  async complete(rec: LocalRecording): Promise<CompleteResult> {
    const body = JSON.stringify({ segments: rec.segments.map((s) => ({ segment: s.segment, chunks: s.chunks })), chainHead: rec.chainHead });
    try {
      return CompleteReply.parse(await (await this.send('POST', '/complete', body, 'application/json')).json());
    } catch (err) {
      if (err instanceof Incomplete) return { missing: err.missing };
      throw err;
    }
  }

  private async send(method: string, path: string, body?: BodyInit, type?: string, extra: Record<string, string> = {}, fresh = false): Promise<Response> {
    const credential = await this.deps.credential(this.owner, fresh);
    if (!credential) throw new Problem(`${CREDENTIAL_PROBLEM}: no upload credential on this device for candidate ${this.owner.candidateId}; sign in again on this device to upload`);
    const headers: Record<string, string> = { authorization: `Bearer ${credential}`, ...extra };
    if (type) headers['content-type'] = type;
    const v = await request(`${this.deps.base}/api/recordings/${this.rec.id}${path}`, { method, headers, body }, this.deps.fetch);
    // Refused with a credential kept in memory: a newer one may have been saved since — read it once.
    if (v.kind === 'auth' && !fresh && (await this.deps.credential(this.owner, true)) !== credential) return this.send(method, path, body, type, extra, true);
    switch (v.kind) {
      case 'ok': return v.res;
      case 'retry':
        // A proxy's own refusal of the framed body (its HTML, not our error): PUTs from now on.
        if (path === '/chunks' && REFUSES_FRAMES.includes(v.status)) throw new NoFrames(true);
        throw v.status === 0 ? new Offline() : new Retry(v.afterMs);
      case 'auth': throw new Problem(`${CREDENTIAL_PROBLEM}: ${v.error.message}; sign in again as candidate ${this.owner.candidateId} on this device to upload`);
      case 'refused':
        // The framed request refused as a whole (an older server, a proxy's body limit): its chunks go one PUT each.
        if (path === '/chunks') throw new NoFrames(REFUSES_FRAMES.includes(v.status));
        if (v.error.code === 'digest_mismatch') throw new DigestMismatch();
        if (v.error.code === 'offset_mismatch') throw new OffsetMismatch();
        if (v.error.code === 'incomplete') throw new Incomplete(missingOf(v.error.details));
        throw new Problem(`${v.error.code}: ${v.error.message}`);
    }
  }
}

function missingOf(details: unknown): { segment: number; seq: number }[] {
  const list = (details as { missing?: unknown } | undefined)?.missing;
  return Array.isArray(list) ? list.filter((m): m is { segment: number; seq: number } =>
    typeof (m as { segment?: unknown }).segment === 'number' && typeof (m as { seq?: unknown }).seq === 'number') : [];
}

class DigestMismatch extends Error {}
class NoFrames extends Error {
  constructor(readonly remember: boolean) {
    super('no framed uploads');
  }
}
/** Statuses that say this server (or a proxy before it) will not take a framed request: no route, or too large a body. */
const REFUSES_FRAMES = [404, 405, 413, 415];
/** API bases whose server (or a proxy before it) will not take framed uploads: v1 only. */
const noFrames = new Set<string>();
class OffsetMismatch extends Error {}
class Incomplete extends Error {
  constructor(readonly missing: { segment: number; seq: number }[]) {
    super('incomplete');
  }
}

/** Tells the proctor's side about a recording's trouble (e.g. the device's disk is full); best effort. */
export async function reportProblem(id: string, problem: string, deps: UploadDeps): Promise<void> {
  const rec = await getRecording(id);
  if (rec) await new UploadApi(deps, rec).reportProblem(problem);
}
