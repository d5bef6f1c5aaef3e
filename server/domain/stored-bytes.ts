import { createHash } from 'node:crypto';
import { chainHead, toHex } from '../../src/core/hash-chain.js';
import { lazyCommit } from '../db/engine.js';
import type { Db } from '../db/open.js';
import type { BlobStore } from '../storage/blob-store.js';
import { readChunk, sha256, type ChunkPlace, type Owner } from './chunk-keys.js';

/** One stored chunk, by its place in a recording. */
interface ChunkAt { recordingId: string; segment: number; seq: number }

/**
 * Reads stored chunk bytes again, apart from receiving them: the background scrub (a bounded
 * rate) and `invigil verify` (a chain derived from the bytes on disk).
 */
export class StoredBytes {
  constructor(private readonly db: Db, private readonly store: BlobStore, private readonly now: () => number) {}

  /**
   * Re-reads every stored chunk of a candidate's recordings and derives each chain again from the
   * bytes on disk (not from the digests noted at receipt): the check anyone can repeat later
   * (`invigil verify`). Names each chunk whose stored bytes differ or are gone.
   */
  async verifyStored(owner: Owner): Promise<StoredCheck[]> {
    const recs = await this.db.selectFrom('recordings').select(['id', 'kind', 'chain_head', 'verified_at', 'bytes'])
      .where('exam_id', '=', owner.exam).where('candidate_id', '=', owner.candidate).orderBy('kind').orderBy('created_at').execute();
    const out: StoredCheck[] = [];
    for (const rec of recs) {
      const rows = await this.db.selectFrom('recording_chunks').select(['segment', 'seq', 'sha256', 'size', 'pack', 'pack_offset'])
        .where('recording_id', '=', rec.id).orderBy('segment').orderBy('seq').execute();
      const bad: StoredCheck['bad'] = [];
      const links = [];
      for (const row of rows) {
        const found = await this.rehash(owner, { ...row, recordingId: rec.id });
        if (found !== row.sha256) bad.push({ segment: row.segment, seq: row.seq, recorded: row.sha256, found });
        links.push({ segment: row.segment, seq: row.seq, digest: Buffer.from(found ?? '', 'hex') });
      }
      const derived = toHex(await chainHead(sha256, rec.id, links));
      out.push({
        id: rec.id, kind: rec.kind, chunks: rows.length, bytes: rec.bytes, verifiedAt: rec.verified_at,
        chainHead: rec.chain_head, derivedHead: derived, bad, intact: bad.length === 0 && (rec.chain_head === null || rec.chain_head === derived),
      });
    }
    return out;
  }

  /**
   * Re-reads stored chunks not yet checked (oldest first) until `maxBytes` were read: each whose
   * bytes still match its digest is marked checked. A damaged or missing one of a recording not yet
   * verified is dropped — the completion then asks the device for it again; of a verified
   * recording (the device may have deleted its copy) it stays listed and the recording carries
   * the problem, for the proctor and the reviewer (`invigil verify` names it too).
   */
  async scrub(maxBytes: number): Promise<ScrubReport> {
    const report: ScrubReport = { chunks: 0, bytes: 0, damaged: [] };
    while (report.bytes < maxBytes) {
      const rows = await this.db.selectFrom('recording_chunks as c').innerJoin('recordings as r', 'r.id', 'c.recording_id')
        .select(['c.recording_id', 'c.segment', 'c.seq', 'c.size', 'c.sha256', 'c.pack', 'c.pack_offset', 'r.exam_id', 'r.candidate_id', 'r.verified_at'])
        .where('c.checked_at', 'is', null)
        // Oldest first; chunks stored in the same millisecond in recording order (the same on every engine).
        .orderBy('c.stored_at').orderBy('c.recording_id').orderBy('c.segment').orderBy('c.seq').limit(32).execute();
      if (rows.length === 0) break;
      const intact: ChunkAt[] = [];
      for (const row of rows) {
        if (report.bytes >= maxBytes) break;
        const owner = { exam: row.exam_id, candidate: row.candidate_id };
        const found = await this.rehash(owner, { ...row, recordingId: row.recording_id });
        report.chunks++;
        report.bytes += row.size;
        const where = { recordingId: row.recording_id, segment: row.segment, seq: row.seq };
        if (found === row.sha256) {
          intact.push(where);
          continue;
        }
        report.damaged.push({ ...where, exam: row.exam_id, candidate: row.candidate_id, verified: row.verified_at !== null });
        if (row.verified_at === null) {
          await this.dropChunk(row.recording_id, row.segment, row.seq, row.size);
          continue;
        }
        const problem = `chunk ${row.segment}/${row.seq} ${found === null ? 'is missing from' : 'no longer matches its digest in'} the evidence store (found after verification)`;
        await this.db.transaction().execute(async (trx) => {
          await this.markChecked(trx, where);
          await trx.updateTable('recordings').set({ problem }).where('id', '=', row.recording_id).execute();
        });
      }
      // The batch's marks in one lazy commit: a mark lost with the power only means a second check.
      if (intact.length > 0) {
        await lazyCommit(this.db, async (trx) => {
          for (const where of intact) await this.markChecked(trx, where);
        });
      }
    }
    return report;
  }

  private async markChecked(db: Db, where: ChunkAt): Promise<void> {
    await db.updateTable('recording_chunks').set({ checked_at: this.now() })
      .where('recording_id', '=', where.recordingId).where('segment', '=', where.segment).where('seq', '=', where.seq).execute();
  }

  private async rehash(owner: Owner, chunk: ChunkPlace): Promise<string | null> {
    const bytes = await readChunk(this.store, owner, chunk);
    return bytes && createHash('sha256').update(bytes).digest('hex');
  }

  private async dropChunk(id: string, segment: number, seq: number, size: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recording_chunks').where('recording_id', '=', id).where('segment', '=', segment).where('seq', '=', seq).execute();
      await trx.updateTable('recordings').set((eb) => ({ bytes: eb('bytes', '-', size) })).where('id', '=', id).execute();
    });
  }
}

/** What one scrub step read, and each chunk it found damaged or missing. */
export interface ScrubReport {
  chunks: number;
  bytes: number;
  damaged: { exam: string; candidate: string; recordingId: string; segment: number; seq: number; verified: boolean }[];
}

/** One recording as re-read from the store: its chain as recorded and as derived now, and any chunk that differs. */
export interface StoredCheck {
  id: string;
  kind: string;
  chunks: number;
  bytes: number;
  verifiedAt: number | null;
  /** The head the device declared and the server verified (null before completion). */
  chainHead: string | null;
  derivedHead: string;
  bad: { segment: number; seq: number; recorded: string; found: string | null }[];
  intact: boolean;
}
