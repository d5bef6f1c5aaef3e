import { createHash } from 'node:crypto';
import type { IndexPlace } from '../media/layout-cache.js';
import type { CompleteReply, RecordingStatus } from '../../src/core/recording-schema.js';
import { chainHead, toHex } from '../../src/core/hash-chain.js';
import { chunkKey, readChunk, readChunkRange, sha256, type Owner } from './chunk-keys.js';
import { StoredBytes, type ScrubReport, type StoredCheck } from './stored-bytes.js';
import type { Db } from '../db/open.js';
import { GroupCommit } from '../db/group-commit.js';
import type { Database } from '../db/schema.js';
import type { Selectable } from 'kysely';
import type { BlobStore } from '../storage/blob-store.js';
import { SharedPacks, type ChunkPack } from './shared-packs.js';
import { piecesSource, rangedSource, type ByteSource } from '../media/byte-source.js';
import { ApiError, forbidden, notFound } from '../http/api-error.js';

export interface ChunkPut {
  recordingId: string;
  segment: number;
  seq: number;
  bytes: Uint8Array;
  digest: Uint8Array;
  /** Checked only for a chunk not held yet (a repeat is never refused): throws when over a limit. */
  checkQuota: (rec: { kind: RecordingStatus['kind']; bytes: number }, size: number) => Promise<void>;
  /** Its checks passed; only the durable writes are left (a framed request starts the next chunk's then). */
  accepted?: () => void;
  /** A framed request's pack (`openPack`): the chunk's bytes go there, not under a key of their own. */
  pack?: ChunkPack | null;
  /** A framed request's recordings as it first read them (`RequestRecordings`): one read each, not one per chunk. */
  seen?: RequestRecordings;
}

type RecordingRow = Selectable<Database['recordings']>;

/**
 * The recordings one framed request adds to, each read (and its owner checked) at its first chunk
 * and kept for the rest: a request of 4–256 chunks costs one read per recording, not one per chunk
 * (on PostgreSQL a round trip each). Its bytes count what the request stored since; whether it is
 * still open is checked again where it matters — in the transaction that adds each chunk's row.
 * Likewise the chunks already held of each segment it adds to, read once for the `window` seqs
 * from its first chunk there (a request's frames are at most that many): one read, not one a chunk.
 * A chunk another request stores meanwhile is still caught, by the row's insert (`putChunk`).
 */
export class RequestRecordings {
  readonly rows = new Map<string, Promise<RecordingRow>>();
  readonly held = new Map<string, { from: number; chunks: Promise<Map<number, HeldChunk>> }>();
  constructor(readonly window: number) {}
}

interface HeldChunk { sha256: string; size: number }

/** The recording was verified (closed) while a request was adding to it. */
class ClosedMeanwhile extends Error {}

/**
 * Chunked uploads (DESIGN, Uploads): digest checked before anything is stored; a repeat is
 * success, a different body for a stored key is a conflict; completion re-derives the hash chain
 * from the digests checked at receipt and only then marks the recording verified. The stored
 * bytes are re-read in the background (`scrub`): a chunk found damaged before its recording is
 * verified is dropped and asked for again; after, it is reported on the recording.
 */
export class Recordings {
  /** Re-reading what is stored (the scrub, `invigil verify`). */
  private readonly stored: StoredBytes;
  /** Chunk rows arriving together share one lazy commit. */
  private readonly chunkRows: GroupCommit<Database>;
  /** The candidates' packs on the local disk, each shared by their requests for a while. */
  private readonly packs: SharedPacks;

  constructor(private readonly db: Db, private readonly store: BlobStore, private readonly now: () => number) {
    this.stored = new StoredBytes(db, store, now);
    this.chunkRows = new GroupCommit(db, { lazy: true });
    this.packs = new SharedPacks(store, now);
  }

  async create(owner: Owner, id: string, kind: RecordingStatus['kind'], mimeType: string): Promise<RecordingStatus> {
    await this.db.insertInto('recordings').values({
      id, exam_id: owner.exam, candidate_id: owner.candidate, kind, mime_type: mimeType,
      created_at: this.now(), bytes: 0, verified_at: null, chain_head: null, problem: null, device_id: owner.device ?? null,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
    const rec = await this.owned(owner, id);
    if (rec.kind !== kind) throw new ApiError(409, 'conflict', `recording ${id} exists as ${rec.kind}`);
    return this.status(owner, id);
  }

  async addSegment(owner: Owner, id: string, segment: number, startedAt: number, mimeType: string): Promise<void> {
    await this.owned(owner, id);
    await this.db.insertInto('recording_segments').values({ recording_id: id, segment, started_at: startedAt, mime_type: mimeType })
      .onConflict((oc) => oc.columns(['recording_id', 'segment']).doNothing()).execute();
  }

  /** Returns true when stored now, false when it was already held (a repeat). */
  async putChunk(owner: Owner, put: ChunkPut): Promise<boolean> {
    const rec = await this.ownedIn(owner, put.recordingId, put.seen);
    const actual = await sha256(put.bytes);
    const hex = toHex(actual);
    if (hex !== toHex(put.digest)) {
      throw new ApiError(400, 'digest_mismatch', 'the body does not match its Content-Digest; nothing was stored');
    }
    const held = await this.heldIn(put.recordingId, put.segment, put.seq, put.seen);
    if (held) {
      if (held.sha256 === hex) return false;
      throw new ApiError(409, 'conflict', 'a different chunk is already stored under this key');
    }
    if (rec.verified_at !== null) throw new ApiError(409, 'conflict', 'this recording is verified and closed');
    await put.checkQuota(rec, put.bytes.length);
    // Content-addressed file names: two racing bodies for one key never overwrite each other.
    const key = chunkKey(owner, put.recordingId, put.segment, put.seq, hex);
    put.accepted?.();
    const pack = put.pack ?? null;
    const offset = pack ? await pack.writer.append(put.bytes) : null;
    if (!pack) await this.store.put(key, put.bytes);
    // A lazy commit: a row lost with the power is named missing at completion and sent again.
    // The row joins only a recording still open at this commit: one verified since it was read
    // (by a completion beside this request) keeps exactly the chunks its chain named.
    const inserted = await this.chunkRows.run(async (trx) => {
      const res = await trx.insertInto('recording_chunks').values({
        recording_id: put.recordingId, segment: put.segment, seq: put.seq, size: put.bytes.length, sha256: hex, stored_at: this.now(),
        pack: pack?.key ?? null, pack_offset: offset,
      }).onConflict((oc) => oc.columns(['recording_id', 'segment', 'seq']).doNothing()).executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      const open = await trx.updateTable('recordings').set((eb) => ({ bytes: eb('bytes', '+', put.bytes.length) }))
        .where('id', '=', put.recordingId).where('verified_at', 'is', null).executeTakeFirst();
      if (Number(open.numUpdatedRows) === 0) throw new ClosedMeanwhile();
      return true;
    }).catch(async (err: unknown) => {
      if (!(err instanceof ClosedMeanwhile)) throw err;
      put.seen?.rows.delete(put.recordingId);
      if (!pack) await this.store.delete(key);
      throw new ApiError(409, 'conflict', 'this recording is verified and closed');
    });
    if (inserted) {
      rec.bytes += put.bytes.length;
      return true;
    }
    const winner = await this.heldChunk(put.recordingId, put.segment, put.seq);
    if (winner?.sha256 === hex) return false;
    // The loser's bytes: its own key is deleted; in a pack they stay, unreferenced, until retention.
    if (!pack) await this.store.delete(key);
    throw new ApiError(409, 'conflict', 'a different chunk is already stored under this key');
  }

  async status(owner: Owner, id: string): Promise<RecordingStatus> {
    const rec = await this.owned(owner, id);
    const segments = await this.db.selectFrom('recording_segments').selectAll().where('recording_id', '=', id).execute();
    const chunks = await this.db.selectFrom('recording_chunks').select(['segment', 'seq', 'size', 'sha256'])
      .where('recording_id', '=', id).orderBy('segment').orderBy('seq').execute();
    const numbers = [...new Set([...segments.map((s) => s.segment), ...chunks.map((c) => c.segment)])].sort((a, b) => a - b);
    return {
      id, kind: rec.kind, mimeType: rec.mime_type, bytes: rec.bytes, verifiedAt: rec.verified_at,
      segments: numbers.map((n) => {
        const meta = segments.find((s) => s.segment === n);
        return {
          segment: n, startedAt: meta?.started_at ?? null, mimeType: meta?.mime_type ?? null,
          chunks: chunks.filter((c) => c.segment === n).map((c) => ({ seq: c.seq, size: c.size, sha256: c.sha256 })),
        };
      }),
    };
  }

  async complete(owner: Owner, id: string, declared: { segment: number; chunks: number }[], head: string): Promise<CompleteReply> {
    const rec = await this.owned(owner, id);
    if (rec.verified_at !== null) {
      if (rec.chain_head === head) return { verifiedAt: rec.verified_at, bytes: rec.bytes, chunks: await this.chunkCount(id) };
      throw new ApiError(422, 'chain_mismatch', 'the recording was verified with another chain head');
    }
    const rows = await this.db.selectFrom('recording_chunks').select(['segment', 'seq', 'size', 'sha256'])
      .where('recording_id', '=', id).orderBy('segment').orderBy('seq').execute();
    const declaredSegments = new Map(declared.map((d) => [d.segment, d.chunks]));
    if (rows.some((r) => r.seq >= (declaredSegments.get(r.segment) ?? 0))) {
      throw new ApiError(409, 'conflict', 'the server holds chunks beyond what was declared');
    }
    const missing: { segment: number; seq: number }[] = [];
    const have = new Set(rows.map((r) => `${r.segment}/${r.seq}`));
    for (const [segment, count] of [...declaredSegments].sort((a, b) => a[0] - b[0])) {
      for (let seq = 0; seq < count && missing.length < 1000; seq++) if (!have.has(`${segment}/${seq}`)) missing.push({ segment, seq });
    }
    // The chain from the digests checked over each body before it was stored; the stored bytes
    // are re-read by the scrub (below), at a bounded rate, not all at once by every completion.
    if (missing.length > 0) throw new ApiError(409, 'incomplete', `${missing.length} chunk(s) missing`, { missing });
    const derived = toHex(await chainHead(sha256, id, rows.map((r) => ({ segment: r.segment, seq: r.seq, digest: Buffer.from(r.sha256, 'hex') }))));
    if (derived !== head) throw new ApiError(422, 'chain_mismatch', 'the stored chunks do not give this chain head');
    const verifiedAt = this.now();
    await this.db.updateTable('recordings').set({ verified_at: verifiedAt, chain_head: head, problem: null }).where('id', '=', id).execute();
    return { verifiedAt, bytes: rec.bytes, chunks: rows.length };
  }

  /** The device could not upload something for good: kept for the proctor (cleared on verification). */
  async reportProblem(owner: Owner, id: string, problem: string | null): Promise<void> {
    await this.owned(owner, id);
    await this.db.updateTable('recordings').set({ problem }).where('id', '=', id).where('verified_at', 'is', null).execute();
  }

  /** Per candidate of an exam: how many recordings, how many verified, bytes held, any problem. */
  async summary(examId: string): Promise<Map<string, { recordings: number; verified: number; bytes: number; problem: string | null }>> {
    const rows = await this.db.selectFrom('recordings').select(['candidate_id', 'verified_at', 'bytes', 'problem']).where('exam_id', '=', examId).execute();
    const out = new Map<string, { recordings: number; verified: number; bytes: number; problem: string | null }>();
    for (const r of rows) {
      const s = out.get(r.candidate_id) ?? { recordings: 0, verified: 0, bytes: 0, problem: null };
      s.recordings++;
      if (r.verified_at !== null) s.verified++;
      s.bytes += r.bytes;
      s.problem ??= r.problem;
      out.set(r.candidate_id, s);
    }
    return out;
  }

  /** A candidate's recordings for review: each segment with its server-time start and size. */
  async listFor(owner: Owner): Promise<RecordingStatus[]> {
    const rows = await this.db.selectFrom('recordings').select('id').where('exam_id', '=', owner.exam)
      .where('candidate_id', '=', owner.candidate).orderBy('kind').orderBy('created_at').execute();
    return Promise.all(rows.map((r) => this.status(owner, r.id)));
  }

  /**
   * One segment as stored, as far as its chunks are contiguous (seq 0, 1, …): readable piece by
   * piece (`source`, one chunk held at a time: indexing reads many small heads close together) or
   * by exact ranges (`ranged`: serving a player); its tag names exactly these bytes (a digest of the chunks'
   * digests), so a changed segment never matches an old tag.
   */
  async segmentSource(owner: Owner, id: string, segment: number): Promise<SegmentSource> {
    const rec = await this.owned(owner, id);
    const rows = await this.db.selectFrom('recording_chunks').select(['seq', 'sha256', 'size', 'pack', 'pack_offset']).where('recording_id', '=', id)
      .where('segment', '=', segment).orderBy('seq').execute();
    const held = rows.filter((row, i) => row.seq === i).map((row) => ({ ...row, recordingId: id, segment }));
    if (held.length === 0) throw notFound(`no chunks of segment ${segment}`);
    const tag = createHash('sha256').update(`${id}/${segment}:${held.map((r) => r.sha256).join(',')}`).digest('hex').slice(0, 32);
    const source = piecesSource(held.map((r) => r.size), async (i) => {
      const row = held[i];
      if (!row) throw new Error(`no chunk ${i} in segment ${segment} of ${id}`);
      const bytes = await readChunk(this.store, owner, row);
      if (!bytes) throw new Error(`chunk ${segment}/${row.seq} of ${id} is missing from the store`);
      return bytes;
    });
    // What a player's ranges are read from: only the bytes each asks for.
    const ranged = rangedSource(held.map((r) => r.size), async (i, start, end) => {
      const row = held[i];
      const bytes = row && await readChunkRange(this.store, owner, row, start, end);
      if (!bytes) throw new Error(`chunk ${segment}/${row?.seq ?? i} of ${id} is missing from the store`);
      return bytes;
    });
    const complete = rec.verified_at !== null && held.length === rows.length;
    // Only a verified segment's index is kept: a segment still arriving changes with every chunk.
    const index = complete ? { store: this.store, key: `recordings/${owner.exam}/${owner.candidate}/${id}/${segment}/index-${tag}.json` } : undefined;
    return { source, ranged, tag, complete, index };
  }

  private async owned(owner: Owner, id: string): Promise<RecordingRow> {
    const rec = await this.db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
    if (!rec) throw notFound(`no recording ${id}; create it first`);
    if (rec.exam_id !== owner.exam || rec.candidate_id !== owner.candidate) throw forbidden('this recording belongs to someone else');
    if (owner.device !== undefined && rec.device_id !== null && rec.device_id !== owner.device) {
      throw forbidden('this recording was made on another device');
    }
    return rec;
  }

  /**
   * The pack a request's chunks go to where the store keeps packs (local disk): the candidate's,
   * shared with its other requests for a while (SharedPacks); else null (each chunk under its own
   * key). The caller releases it once the request's chunks are stored.
   */
  openPack(owner: Owner): ChunkPack | null {
    return this.packs.acquire(owner);
  }

  /** Lets go of the open packs (at shutdown). */
  closePacks(): Promise<void> {
    return this.packs.closeAll();
  }

  /** Throws 404/403 unless this owner may add to recording `id`. */
  async checkOwner(owner: Owner, id: string): Promise<void> {
    await this.owned(owner, id);
  }

  /** `owned`, read once per request (`seen`); a failed read is not kept. */
  private ownedIn(owner: Owner, id: string, seen: RequestRecordings | undefined): Promise<RecordingRow> {
    if (!seen) return this.owned(owner, id);
    let row = seen.rows.get(id);
    if (!row) {
      row = this.owned(owner, id);
      seen.rows.set(id, row);
      row.catch(() => seen.rows.delete(id));
    }
    return row;
  }

  /** The chunk stored under this key (its digest and size), if any: a device asks before resuming a cut body. */
  async chunkHeld(owner: Owner, id: string, segment: number, seq: number): Promise<{ sha256: string; size: number } | undefined> {
    await this.owned(owner, id);
    return this.heldChunk(id, segment, seq);
  }

  /** The chunk held under this key, from the request's read of its segment when there is one. */
  private async heldIn(id: string, segment: number, seq: number, seen: RequestRecordings | undefined): Promise<HeldChunk | undefined> {
    if (!seen) return this.heldChunk(id, segment, seq);
    const key = `${id}/${segment}`;
    let read = seen.held.get(key);
    if (!read || seq < read.from || seq >= read.from + seen.window) {
      const chunks = this.db.selectFrom('recording_chunks').select(['seq', 'sha256', 'size'])
        .where('recording_id', '=', id).where('segment', '=', segment).where('seq', '>=', seq).where('seq', '<', seq + seen.window).execute()
        .then((rows) => new Map(rows.map((r) => [r.seq, { sha256: r.sha256, size: r.size }])));
      read = { from: seq, chunks };
      seen.held.set(key, read);
    }
    return (await read.chunks).get(seq);
  }

  private heldChunk(id: string, segment: number, seq: number): Promise<HeldChunk | undefined> {
    return this.db.selectFrom('recording_chunks').select(['sha256', 'size'])
      .where('recording_id', '=', id).where('segment', '=', segment).where('seq', '=', seq).executeTakeFirst();
  }

  private async chunkCount(id: string): Promise<number> {
    const row = await this.db.selectFrom('recording_chunks').select((eb) => eb.fn.countAll<number>().as('n')).where('recording_id', '=', id).executeTakeFirst();
    return row?.n ?? 0;
  }

  /** Each recording's verified chain head (null until verified), by id. */
  async chainHeads(owner: Owner): Promise<Map<string, string | null>> {
    const rows = await this.db.selectFrom('recordings').select(['id', 'chain_head'])
      .where('exam_id', '=', owner.exam).where('candidate_id', '=', owner.candidate).execute();
    return new Map(rows.map((r) => [r.id, r.chain_head]));
  }

  /** Re-reads every stored chunk of a candidate's recordings (`invigil verify`): see StoredBytes. */
  verifyStored(owner: Owner): Promise<StoredCheck[]> {
    return this.stored.verifyStored(owner);
  }

  /** One bounded step of the background scrub: see StoredBytes. */
  scrub(maxBytes: number): Promise<ScrubReport> {
    return this.stored.scrub(maxBytes);
  }
}

export interface SegmentSource { source: ByteSource; ranged: ByteSource; tag: string; complete: boolean; index: IndexPlace | undefined }

export { chunkKey, readChunk, type Owner } from './chunk-keys.js';
export type { ScrubReport, StoredCheck } from './stored-bytes.js';
