import type { Acceptances, DocumentKind, ProgressReply } from '../../src/core/api-schema.js';
import { personalTimes, timelineAt } from '../../src/core/timeline.js';
import type { Db } from '../db/open.js';
import { ApiError } from '../http/api-error.js';
import type { StoredExam } from './exam-store.js';
import type { Lottery } from './lottery.js';

/**
 * Where each candidate stands, as the server decides it (invariant 5): documents accepted,
 * entry inside the window, early end (by the candidate, or by a proctor for cause), extra time
 * granted by a proctor. Times are server times.
 */
export class Progress {
  constructor(private readonly db: Db, private readonly lottery: Lottery, private readonly now: () => number) {}

  async get(examId: string, candidateId: string): Promise<ProgressReply> {
    const row = await this.db.selectFrom('progress').select(['entered_at', 'ended_at', 'extra_ms', 'ended_by'])
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).executeTakeFirst();
    return { enteredAt: row?.entered_at ?? null, endedAt: row?.ended_at ?? null, extraMs: row?.extra_ms ?? 0, endedBy: row?.ended_by ?? null };
  }

  async accepted(examId: string, candidateId: string): Promise<Acceptances> {
    const rows = await this.db.selectFrom('acceptances').select(['document', 'accepted_at'])
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).execute();
    const at = (d: DocumentKind) => rows.find((r) => r.document === d)?.accepted_at ?? null;
    return { procedure: at('procedure'), pledge: at('pledge'), notice: at('notice') };
  }

  /** Records the first acceptance of a document; a repeat keeps the first time. */
  async accept(examId: string, candidateId: string, document: DocumentKind): Promise<Acceptances> {
    await this.db.insertInto('acceptances').values({ exam_id: examId, candidate_id: candidateId, document, accepted_at: this.now() })
      .onConflict((oc) => oc.columns(['exam_id', 'candidate_id', 'document']).doNothing()).execute();
    return this.accepted(examId, candidateId);
  }

  /**
   * Entry (R7): only inside the entry window, with every document accepted and a lottery number
   * (drawn, or assigned now when the lottery has closed). Entering again returns the first entry.
   */
  async enter(exam: StoredExam, candidateId: string): Promise<ProgressReply> {
    const examId = exam.config.id;
    const now = this.now();
    const current = await this.get(examId, candidateId);
    if (current.enteredAt !== null) return current;
    const state = timelineAt(exam.times, now, current);
    if (!state.allowed.entry) {
      if (now < exam.times.entryOpensAt) throw new ApiError(403, 'entry_not_open', 'the entry window has not opened yet', { opensAt: exam.times.entryOpensAt });
      throw new ApiError(403, 'entry_closed', 'the entry window has closed', { closedAt: exam.times.entryClosesAt });
    }
    const accepted = await this.accepted(examId, candidateId);
    const missing = (Object.keys(accepted) as DocumentKind[]).filter((d) => accepted[d] === null);
    if (missing.length) throw new ApiError(403, 'attachments_required', `accept first: ${missing.join(', ')}`, { missing });
    if (!(await this.lottery.get(examId, candidateId))) {
      if (now < exam.times.lotteryClosesAt) throw new ApiError(403, 'lottery_required', 'draw a lottery number first');
      await this.lottery.draw(examId, candidateId);
    }
    await this.db.insertInto('progress').values({ exam_id: examId, candidate_id: candidateId, entered_at: now, ended_at: null, extra_ms: 0, ended_by: null })
      .onConflict((oc) => oc.columns(['exam_id', 'candidate_id']).doUpdateSet({ entered_at: now }).where('progress.entered_at', 'is', null))
      .execute();
    return this.get(examId, candidateId);
  }

  /**
   * Early end (R9 【结束考试】【确认】, or a proctor ending it for cause), at `at` (server time as the
   * device estimated it; an end sent after a network gap arrives late) clamped to [entry, now].
   * The first end stands.
   */
  async end(exam: StoredExam, candidateId: string, at = this.now(), by: 'candidate' | 'proctor' = 'candidate'): Promise<ProgressReply> {
    const examId = exam.config.id;
    const current = await this.get(examId, candidateId);
    if (current.enteredAt === null) throw new ApiError(403, 'not_entered', 'the candidate has not entered this exam');
    if (current.endedAt !== null) return current;
    const endedAt = Math.min(Math.max(at, current.enteredAt), this.now(), personalTimes(exam.times, current).endAt);
    await this.db.updateTable('progress').set({ ended_at: endedAt, ended_by: by })
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).where('ended_at', 'is', null).execute();
    return this.get(examId, candidateId);
  }

  /** Extra answering time for one candidate (a proctor's decision, e.g. for an outage): moves their end. */
  async addTime(exam: StoredExam, candidateId: string, ms: number): Promise<ProgressReply> {
    const examId = exam.config.id;
    const current = await this.get(examId, candidateId);
    if (current.enteredAt === null) throw new ApiError(403, 'not_entered', 'the candidate has not entered this exam');
    if (current.endedAt !== null) throw new ApiError(409, 'conflict', 'the exam has already ended for this candidate');
    await this.db.updateTable('progress').set((eb) => ({ extra_ms: eb('extra_ms', '+', Math.round(ms)) }))
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).execute();
    return this.get(examId, candidateId);
  }
}
