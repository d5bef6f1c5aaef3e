import type { Db } from '../db/open.js';
import type { BlobStore } from '../storage/blob-store.js';
import { ApiError } from '../http/api-error.js';
import type { ExamStore } from './exam-store.js';
import { PHOTO_TYPES } from './identity.js';

/** What erasing one candidate's evidence removes (or, in a dry run, would remove). */
export interface Erasure {
  candidate: string;
  recordings: number;
  recordingBytes: number;
  captures: number;
  photo: boolean;
  events: number;
  chat: number;
  /** Kept: a reviewer holds this candidate's evidence (with this reason). */
  heldFor: string | null;
}

/** Tables of a candidate's evidence and what derives from it, all keyed by exam and candidate. */
const PER_CANDIDATE = ['events', 'chat_messages', 'chat_reads', 'outages', 'proctor_actions', 'identity_checks', 'review_decisions'] as const;
const SWEEP_EVERY_MS = 60 * 60_000;

/**
 * The exam's `retentionDays`, enforced by the server: once an exam's retention has ended its
 * recordings, login captures, roster photos, face descriptors (identity checks), events, chat and
 * the reviewers' judgements of them (their notes describe the evidence) are deleted — except a held candidate's, kept until a reviewer releases the hold. What stays:
 * the exam's configuration without the photos, each candidate's progress, lottery number and
 * accepted documents (no image, voice or biometric data), and the access log (the record of who
 * looked at the evidence while it existed).
 */
export class Retention {
  private timer: ReturnType<typeof setInterval> | undefined;
  /**
   * Exams past retention whose every candidate was erased (none held): nothing can come back
   * (uploads end with retention), so the hourly sweep skips them — until a hold is released.
   * Kept in memory: after a restart each is looked at once more.
   */
  private readonly done = new Set<string>();

  constructor(private readonly d: { db: Db; exams: ExamStore; blobs: BlobStore; now: () => number; log: (l: string) => void }) {}

  /**
   * Sweeps now and then every hour: a restart loses nothing (the state is the data itself). With
   * several server processes only the leader sweeps (`leading`); a new leader sweeps at once.
   */
  start(leading: () => boolean = () => true): () => void {
    const run = () => {
      if (leading()) void this.sweep().catch((err: unknown) => this.d.log(`retention: sweep failed: ${String(err)}`));
    };
    run();
    this.timer = setInterval(run, SWEEP_EVERY_MS);
    this.timer.unref();
    return run;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Erases the evidence of every exam whose retention has ended (held candidates kept). */
  async sweep(): Promise<Erasure[]> {
    const out: Erasure[] = [];
    for (const id of await this.d.exams.ids()) {
      const exam = await this.d.exams.get(id);
      if (!exam || this.done.has(id) || this.d.now() < exam.times.retentionEndsAt) continue;
      const erased = await this.erase(exam.config.id, { dryRun: false });
      if (erased.every((e) => e.heldFor === null)) this.done.add(id);
      const gone = erased.filter((e) => e.heldFor === null && (e.recordings || e.captures || e.photo || e.events || e.chat));
      if (gone.length > 0) this.d.log(`retention: exam ${exam.config.id} is past its ${exam.config.retentionDays} days — evidence of ${gone.length} candidate(s) deleted`);
      out.push(...erased);
    }
    return out;
  }

  /**
   * Erases the evidence of an exam's candidates (or one): early erasure on request, and the sweep.
   * A dry run only counts. A held candidate is never erased (release the hold first).
   */
  async erase(examId: string, opts: { candidate?: string; dryRun: boolean }): Promise<Erasure[]> {
    const exam = await this.d.exams.get(examId);
    if (!exam) throw new ApiError(404, 'exam_not_found', `no exam "${examId}"`);
    const roster = exam.config.roster.filter((c) => opts.candidate === undefined || c.id === opts.candidate);
    if (roster.length === 0) throw new ApiError(404, 'not_found', `no candidate "${opts.candidate ?? ''}" in exam "${examId}"`);
    const holds = new Map((await this.holds(examId)).map((h) => [h.candidate, h.reason]));
    const out: Erasure[] = [];
    for (const c of roster) {
      const e = await this.count(examId, c.id);
      const heldFor = holds.get(c.id) ?? null;
      out.push({ ...e, heldFor });
      if (!opts.dryRun && heldFor === null) await this.eraseOne(examId, c.id);
    }
    return out;
  }

  async hold(examId: string, candidate: string, by: string, reason: string): Promise<void> {
    await this.d.db.insertInto('retention_holds').values({ exam_id: examId, candidate_id: candidate, reason, held_by: by, held_at: this.d.now() })
      .onConflict((oc) => oc.columns(['exam_id', 'candidate_id']).doUpdateSet({ reason, held_by: by, held_at: this.d.now() })).execute();
  }

  async release(examId: string, candidate: string): Promise<void> {
    this.done.delete(examId);
    await this.d.db.deleteFrom('retention_holds').where('exam_id', '=', examId).where('candidate_id', '=', candidate).execute();
  }

  async holds(examId: string): Promise<{ candidate: string; reason: string; by: string; at: number }[]> {
    const rows = await this.d.db.selectFrom('retention_holds').selectAll().where('exam_id', '=', examId).execute();
    return rows.map((r) => ({ candidate: r.candidate_id, reason: r.reason, by: r.held_by, at: r.held_at }));
  }

  private async count(examId: string, candidate: string): Promise<Omit<Erasure, 'heldFor'>> {
    const { db } = this.d;
    const recs = await db.selectFrom('recordings').select(['bytes']).where('exam_id', '=', examId).where('candidate_id', '=', candidate).execute();
    const n = async (table: 'events' | 'chat_messages', type?: string) => {
      let q = db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).where('exam_id', '=', examId).where('candidate_id', '=', candidate);
      if (type) q = q.where('type' as never, '=', type as never);
      return Number((await q.executeTakeFirst())?.n ?? 0);
    };
    const photo = (await Promise.all(Object.keys(PHOTO_TYPES).map((ext) => this.exists(`photos/${examId}/${candidate}.${ext}`)))).some(Boolean);
    return {
      candidate, recordings: recs.length, recordingBytes: recs.reduce((s, r) => s + r.bytes, 0),
      captures: await n('events', 'login-capture'), photo, events: await n('events'), chat: await n('chat_messages'),
    };
  }

  private async exists(key: string): Promise<boolean> {
    const stream = await this.d.blobs.read(key);
    if (!stream) return false;
    await stream[Symbol.asyncIterator]().return?.(); // closes the file unread
    return true;
  }

  private async eraseOne(examId: string, candidate: string): Promise<void> {
    const { db, blobs } = this.d;
    // Bytes first: a crash in between leaves rows that name missing bytes (erased again next sweep), never bytes without rows.
    await blobs.deleteTree(`recordings/${examId}/${candidate}`);
    await blobs.deleteTree(`captures/${examId}/${candidate}`);
    for (const ext of Object.keys(PHOTO_TYPES)) await blobs.delete(`photos/${examId}/${candidate}.${ext}`);
    await db.transaction().execute(async (trx) => {
      const ids = (await trx.selectFrom('recordings').select('id').where('exam_id', '=', examId).where('candidate_id', '=', candidate).execute()).map((r) => r.id);
      if (ids.length > 0) {
        await trx.deleteFrom('recording_chunks').where('recording_id', 'in', ids).execute();
        await trx.deleteFrom('recording_segments').where('recording_id', 'in', ids).execute();
        await trx.deleteFrom('recordings').where('id', 'in', ids).execute();
      }
      for (const table of PER_CANDIDATE) await trx.deleteFrom(table).where('exam_id', '=', examId).where('candidate_id', '=', candidate).execute();
    });
  }
}
