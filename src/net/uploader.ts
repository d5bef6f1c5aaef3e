import { contentDigestHeader, fromHex } from '../core/hash-chain.js';
import { CompleteReply, RecordingStatus } from '../core/recording-schema.js';
import type { LocalRecording } from '../core/stored-schema.js';
import { chunkIndex, getChunk, getRecording, markUploaded, markVerified, setProblem } from '../storage/recording-store.js';

/** Runs on the page and in the service worker: fetch, IndexedDB and Web Locks only, no DOM. */
export interface UploadDeps {
  /** Origin prefix for the API ('' for same-origin). */
  base: string;
  credential: () => Promise<string | undefined>;
  fetch?: typeof fetch;
  locks?: LockManager;
}

export type UploadOutcome =
  | { state: 'verified'; recordedBytes: number; verifiedBytes: number }
  | { state: 'uploading' | 'offline' | 'retry' | 'busy'; recordedBytes: number; verifiedBytes: number }
  | { state: 'problem'; recordedBytes: number; verifiedBytes: number; problem: string };

class Offline extends Error {}
class Retry extends Error {}
/** The server refused something for good: surfaced, never retried forever. */
class Problem extends Error {}

const DIGEST_RETRIES = 3;

/**
 * Brings one recording's server copy up to date: asks what the server holds, sends only the
 * missing chunks (in any order, after any drop), and once the recording is stopped and complete,
 * asks the server to verify the chain; only then are local chunks deleted. One uploader per
 * recording at a time across page and service worker (Web Lock).
 */
export async function syncRecording(id: string, deps: UploadDeps): Promise<UploadOutcome> {
  // `navigator.locks` exists on pages and in workers alike (NavigatorLocks).
  const locks = deps.locks ?? (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return runSync(id, deps);
  const result = await locks.request(`invigil-upload:${id}`, { ifAvailable: true }, (lock: Lock | null) => (lock ? runSync(id, deps) : null));
  return result ?? { state: 'busy', ...(await bytesOf(id)) };
}

/**
 * What the server is known to hold, per recording, in this page or worker. Asked for once (and
 * again after any failure), not on every pass: a live upload then costs one PUT per chunk.
 */
interface ServerView { held: Map<string, string>; segments: Set<number>; fresh: boolean }
const views = new Map<string, ServerView>();

function viewOf(status: RecordingStatus): ServerView {
  return {
    held: new Map(status.segments.flatMap((s) => s.chunks.map((c) => [`${s.segment}/${c.seq}`, c.sha256] as const))),
    segments: new Set(status.segments.filter((s) => s.startedAt !== null).map((s) => s.segment)),
    fresh: true,
  };
}

async function runSync(id: string, deps: UploadDeps): Promise<UploadOutcome> {
  const rec = await getRecording(id);
  if (!rec) throw new Error(`no recording ${id}`);
  if (rec.state === 'verified') return { state: 'verified', recordedBytes: rec.bytes, verifiedBytes: rec.bytes };
  const api = new UploadApi(deps, id);
  try {
    let view = views.get(id);
    if (!view) {
      view = viewOf(await api.ensure(rec));
      views.set(id, view);
    }
    await sendMissing(api, rec, view);
    view.fresh = false;
    const latest = (await getRecording(id)) ?? rec;
    if (latest.state !== 'stopped') return { state: 'uploading', ...(await bytesOf(id)) };
    const done = await api.complete(latest);
    if (done === 'incomplete') {
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
    if (err instanceof Retry) return { state: 'retry', ...bytes };
    if (err instanceof Problem) {
      await setProblem(id, err.message);
      await api.reportProblem(err.message);
      return { state: 'problem', problem: err.message, ...bytes };
    }
    throw err;
  }
}

/** Tells the proctor's side about a recording's trouble (e.g. the device's disk is full); best effort. */
export async function reportProblem(id: string, problem: string, deps: UploadDeps): Promise<void> {
  await new UploadApi(deps, id).reportProblem(problem);
}

/**
 * Sends every chunk the server lacks. A chunk this device already got acknowledged (maybe by
 * the other context) is trusted unless the server's list was just read and lacks it.
 */
async function sendMissing(api: UploadApi, rec: LocalRecording, view: ServerView): Promise<void> {
  for (const seg of rec.segments) {
    if (view.segments.has(seg.segment)) continue;
    await api.segment(seg);
    view.segments.add(seg.segment);
  }
  for (const meta of await chunkIndex(rec.id)) {
    const key = `${meta.segment}/${meta.seq}`;
    const theirs = view.held.get(key);
    if (theirs === meta.sha256 || (theirs === undefined && meta.uploaded && !view.fresh)) {
      if (!meta.uploaded) await markUploaded([rec.id, meta.segment, meta.seq]);
      continue;
    }
    if (theirs !== undefined) throw new Problem(`chunk ${key}: the server holds different bytes`);
    const chunk = await getChunk([rec.id, meta.segment, meta.seq]);
    if (!chunk) continue;
    await api.chunk(meta.segment, meta.seq, chunk.blob, meta.sha256);
    view.held.set(key, meta.sha256);
    await markUploaded([rec.id, meta.segment, meta.seq]);
  }
}

async function bytesOf(id: string): Promise<{ recordedBytes: number; verifiedBytes: number }> {
  const rec = await getRecording(id);
  if (!rec) return { recordedBytes: 0, verifiedBytes: 0 };
  const uploaded = (await chunkIndex(id)).filter((c) => c.uploaded).reduce((n, c) => n + c.size, 0);
  return { recordedBytes: rec.bytes, verifiedBytes: rec.state === 'verified' ? rec.bytes : uploaded };
}

/** The upload endpoints, with each kind of failure mapped to what the uploader does next. */
class UploadApi {
  private readonly fetchFn: typeof fetch;
  constructor(private readonly deps: UploadDeps, private readonly id: string) {
    this.fetchFn = deps.fetch ?? ((...a) => fetch(...a));
  }

  async ensure(rec: LocalRecording): Promise<RecordingStatus> {
    const res = await this.send('PUT', '', JSON.stringify({ kind: rec.kind, mimeType: rec.mimeType }), 'application/json');
    return RecordingStatus.parse(await res.json());
  }

  async segment(seg: LocalRecording['segments'][number]): Promise<void> {
    await this.send('PUT', `/segments/${seg.segment}`, JSON.stringify({ startedAt: seg.startedAt, mimeType: seg.mimeType }), 'application/json');
  }

  async chunk(segment: number, seq: number, blob: Blob, sha256: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send('PUT', `/segments/${segment}/chunks/${seq}`, blob, 'application/octet-stream', { 'content-digest': contentDigestHeader(fromHex(sha256)) });
        return;
      } catch (err) {
        // A digest mismatch is corruption on the way: resend a few times, then report it.
        if (!(err instanceof DigestMismatch)) throw err;
        if (attempt >= DIGEST_RETRIES) throw new Problem(`chunk ${segment}/${seq}: the server received different bytes ${attempt} times`);
      }
    }
  }

  /** Tells the proctor's side; best effort (the local record is what the candidate sees). */
  async reportProblem(problem: string): Promise<void> {
    await this.send('PUT', '/problem', JSON.stringify({ problem }), 'application/json').catch(() => undefined);
  }

  async complete(rec: LocalRecording): Promise<{ verifiedAt: number; bytes: number } | 'incomplete'> {
    const body = JSON.stringify({ segments: rec.segments.map((s) => ({ segment: s.segment, chunks: s.chunks })), chainHead: rec.chainHead });
    try {
      return CompleteReply.parse(await (await this.send('POST', '/complete', body, 'application/json')).json());
    } catch (err) {
      if (err instanceof Incomplete) return 'incomplete';
      throw err;
    }
  }

  private async send(method: string, path: string, body?: BodyInit, type?: string, extra: Record<string, string> = {}): Promise<Response> {
    const credential = await this.deps.credential();
    if (!credential) throw new Problem('no upload credential on this device: log in again to continue uploading');
    const headers: Record<string, string> = { authorization: `Bearer ${credential}`, ...extra };
    if (type) headers['content-type'] = type;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.deps.base}/api/recordings/${this.id}${path}`, { method, headers, body, cache: 'no-store' });
    } catch {
      throw new Offline();
    }
    if (res.ok) return res;
    const reply = (await res.json().catch(() => null)) as { code?: string; message?: string } | null;
    const code = reply?.code ?? `http_${res.status}`;
    if (code === 'digest_mismatch') throw new DigestMismatch();
    if (code === 'incomplete') throw new Incomplete();
    if (res.status >= 500 || res.status === 408 || res.status === 429 || !reply?.code) throw new Retry();
    throw new Problem(`${code}: ${reply.message ?? res.statusText}`);
  }
}

class DigestMismatch extends Error {}
class Incomplete extends Error {}
