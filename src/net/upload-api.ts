import { contentDigestHeader, fromHex } from '../core/hash-chain.js';
import { CompleteReply, FramesReply, RecordingStatus } from '../core/recording-schema.js';
import { encodeFrameHeader, encodeSectionHeader, FRAMES_TYPE } from '../core/upload-frames.js';
import type { LocalRecording } from '../core/stored-schema.js';
import type { Owner } from '../storage/credentials.js';
import type { LocalChunk } from '../storage/recording-store.js';
import { request, requestStats, type FetchFn } from './http.js';
import type { Section, SectionBatch } from './section-batch.js';

/**
 * The upload endpoints (docs/api.md, Uploads) as the uploader uses them: each kind of failure
 * mapped to what it does next, and the chunks a cut left half-sent, told to every context.
 */
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
  /**
   * Keep a recording's upload lock between passes while it uploads live (the recorder worker:
   * src/net/uploader.ts). Other contexts (pages, the service worker) take it per pass.
   */
  keepLiveLock?: boolean;
  /** The pass sends these recordings' framed chunks together (one request of sections). */
  sections?: SectionBatch;
}

/** The Web Locks the deps name, else this context's (`navigator.locks` exists on pages and in workers alike). */
export function locksOf(deps: UploadDeps): LockManager | undefined {
  return deps.locks ?? (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
}

export class Offline extends Error {}
export class Retry extends Error {
  constructor(readonly afterMs: number | null) {
    super('retry');
  }
}
/** The server refused something for good: surfaced, never retried forever. */
export class Problem extends Error {}

/** Problems a new sign-in of the candidate on this device clears (the credential was refused). */
export const CREDENTIAL_PROBLEM = 'credential refused';
const DIGEST_RETRIES = 3;
/**
 * Chunks whose body the link cut: their next attempt resumes. Told to every context of the origin
 * (the recorder worker, the service worker, pages): the retry is often another context's pass —
 * Background Sync in the service worker when the link returns.
 */
export const cutChunks = new Set<string>();
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
export function markSent(key: string): void {
  if (cutChunks.delete(key)) cutChannel?.postMessage({ sent: key });
}

type CompleteResult = { verifiedAt: number; bytes: number } | { missing: { segment: number; seq: number }[] };

/** The upload endpoints, with each kind of failure mapped to what the uploader does next. */
export class UploadApi {
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

  /** This recording's next framed chunks go with the pass's others: even a lone chunk is framed. */
  get batched(): boolean {
    return this.deps.sections?.takes(this.rec.id) === true;
  }

  /**
   * Sends several chunks in one framed request (with the pass's other recordings', when it batches
   * them); returns how many of them, from the first, the server stored (or held already). When
   * the link drops mid-body the server kept every frame before the cut and part of the one in
   * flight: the next pass asks what it holds, and that chunk's first attempt resumes (HEAD, then
   * the rest).
   */
  async frames(chunks: LocalChunk[]): Promise<number> {
    let reply: FramesReply | null;
    try {
      const batch = this.batched ? this.deps.sections : undefined;
      reply = (await batch?.join({ id: this.rec.id, chunks }, (all) => this.sections(all))) ?? (await this.framed('/chunks', [{ id: this.rec.id, chunks }]));
    } catch (err) {
      if (err instanceof Offline) for (const c of chunks) markCut(`${this.rec.id}/${c.segment}/${c.seq}`);
      throw err;
    }
    const mine = reply?.frames.filter((f) => (f.recording ?? this.rec.id) === this.rec.id) ?? [];
    let n = 0;
    while (n < chunks.length && mine[n]?.segment === chunks[n]?.segment && mine[n]?.seq === chunks[n]?.seq) n++;
    return n;
  }

  /** Several recordings' chunks in one request of sections; null from a server that takes none. */
  private sections(all: Section[]): Promise<FramesReply | null> {
    return noSections.has(this.deps.base) ? Promise.resolve(null) : this.framed(SECTIONS, all);
  }

  /** One framed request (`/chunks`: this recording's; SECTIONS: several); null when refused as a whole. */
  private async framed(path: string, all: Section[]): Promise<FramesReply | null> {
    const parts = all.flatMap((s) => [
      ...(path === SECTIONS ? [encodeSectionHeader(s.id)] : []),
      ...s.chunks.flatMap((c) => [encodeFrameHeader({ segment: c.segment, seq: c.seq, size: c.blob.size, digest: fromHex(c.sha256) }), c.blob]),
    ]);
    const t0 = performance.now();
    const body = new Blob(parts);
    requestStats.handOffMs += performance.now() - t0;
    try {
      const res = await this.send('POST', path, body, FRAMES_TYPE);
      return FramesReply.parse(await res.json());
    } catch (err) {
      if (!(err instanceof NoFrames)) throw err;
      if (err.remember) (path === SECTIONS ? noSections : noFrames).add(this.deps.base);
      return null;
    }
  }

  async ensure(rec: LocalRecording): Promise<RecordingStatus> {
    const res = await this.send('PUT', '', JSON.stringify({ kind: rec.kind, mimeType: rec.mimeType }), 'application/json');
    return RecordingStatus.parse(await res.json());
  }

  async segment(seg: LocalRecording['segments'][number]): Promise<void> {
    await this.send('PUT', `/segments/${seg.segment}`, JSON.stringify({ startedAt: seg.startedAt, mimeType: seg.mimeType }), 'application/json');
  }

  /**
   * Sends one chunk. After the link cut its body, the next attempt sends only the rest: from
   * `heldBytes` when the recording's status listed what the server holds of it, else after asking
   * (HEAD: `Upload-Offset`) — which also says when the whole of it was stored and only the reply
   * was lost.
   */
  async chunk(segment: number, seq: number, blob: Blob, sha256: string, heldBytes?: number): Promise<void> {
    const key = `${this.rec.id}/${segment}/${seq}`;
    const path = `/segments/${segment}/chunks/${seq}`;
    const digest = { 'content-digest': contentDigestHeader(fromHex(sha256)) };
    for (let attempt = 1; ; attempt++) {
      let offset = 0;
      if (attempt === 1 && heldBytes !== undefined) offset = heldBytes < blob.size ? heldBytes : 0;
      else if (attempt === 1 && cutChunks.has(key)) {
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
    const url = path === SECTIONS ? `${this.deps.base}/api/recordings/chunks` : `${this.deps.base}/api/recordings/${this.rec.id}${path}`;
    const v = await request(url, { method, headers, body }, this.deps.fetch);
    // Refused with a credential kept in memory: a newer one may have been saved since — read it once.
    if (v.kind === 'auth' && !fresh && (await this.deps.credential(this.owner, true)) !== credential) return this.send(method, path, body, type, extra, true);
    switch (v.kind) {
      case 'ok': return v.res;
      case 'retry':
        // A proxy's own refusal of the framed body (its HTML, not our error): PUTs from now on.
        if ((path === '/chunks' || path === SECTIONS) && REFUSES_FRAMES.includes(v.status)) throw new NoFrames(true);
        throw v.status === 0 ? new Offline() : new Retry(v.afterMs);
      case 'auth': throw new Problem(`${CREDENTIAL_PROBLEM}: ${v.error.message}; sign in again as candidate ${this.owner.candidateId} on this device to upload`);
      case 'refused':
        // The framed request refused as a whole (an older server, a proxy's body limit): its chunks go one PUT each.
        if (path === '/chunks' || path === SECTIONS) throw new NoFrames(REFUSES_FRAMES.includes(v.status));
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
/** API bases whose server takes no request of several recordings (older than it): one request each. */
const noSections = new Set<string>();
/** `send`'s path for the candidate's request of several recordings (`/api/recordings/chunks`), not one recording's. */
const SECTIONS = 'sections';
class OffsetMismatch extends Error {}
class Incomplete extends Error {
  constructor(readonly missing: { segment: number; seq: number }[]) {
    super('incomplete');
  }
}
