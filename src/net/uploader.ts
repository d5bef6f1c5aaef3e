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

async function runSync(id: string, deps: UploadDeps): Promise<UploadOutcome> {
  const rec = await getRecording(id);
  if (!rec) throw new Error(`no recording ${id}`);
  if (rec.state === 'verified') return { state: 'verified', recordedBytes: rec.bytes, verifiedBytes: rec.bytes };
  const api = new UploadApi(deps, id);
  try {
    let status = await api.ensure(rec);
    await sendMissing(api, rec, status);
    const fresh = (await getRecording(id)) ?? rec;
    status = await api.status();
    if (fresh.state !== 'stopped') return { state: 'uploading', recordedBytes: fresh.bytes, verifiedBytes: status.bytes };
    const done = await api.complete(fresh);
    if (done === 'incomplete') return { state: 'retry', recordedBytes: fresh.bytes, verifiedBytes: status.bytes };
    await markVerified(id, done.verifiedAt);
    return { state: 'verified', recordedBytes: fresh.bytes, verifiedBytes: done.bytes };
  } catch (err) {
    const bytes = await bytesOf(id);
    if (err instanceof Offline) return { state: 'offline', ...bytes };
    if (err instanceof Retry) return { state: 'retry', ...bytes };
    if (err instanceof Problem) {
      await setProblem(id, err.message);
      await api.reportProblem(err.message);
      return { state: 'problem', problem: err.message, ...bytes };
    }
    throw err;
  }
}

async function sendMissing(api: UploadApi, rec: LocalRecording, status: RecordingStatus): Promise<void> {
  const held = new Map<string, string>(status.segments.flatMap((s) => s.chunks.map((c) => [`${s.segment}/${c.seq}`, c.sha256] as const)));
  const heldSegments = new Set(status.segments.filter((s) => s.startedAt !== null).map((s) => s.segment));
  for (const seg of rec.segments) if (!heldSegments.has(seg.segment)) await api.segment(seg);
  for (const meta of await chunkIndex(rec.id)) {
    const key = `${meta.segment}/${meta.seq}`;
    const theirs = held.get(key);
    if (theirs === meta.sha256) {
      if (!meta.uploaded) await markUploaded([rec.id, meta.segment, meta.seq]);
      continue;
    }
    if (theirs !== undefined) throw new Problem(`chunk ${key}: the server holds different bytes`);
    const chunk = await getChunk([rec.id, meta.segment, meta.seq]);
    if (!chunk) continue;
    await api.chunk(meta.segment, meta.seq, chunk.blob, meta.sha256);
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

  async status(): Promise<RecordingStatus> {
    return RecordingStatus.parse(await (await this.send('GET', '')).json());
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
