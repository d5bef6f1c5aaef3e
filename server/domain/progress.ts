import type { CandidateProgress } from '../../src/core/timeline.js';
import type { Db } from '../db/open.js';

/** Entry and early end per candidate, as the server recorded them (server time). */
export class Progress {
  constructor(private readonly db: Db) {}

  async get(examId: string, candidateId: string): Promise<CandidateProgress> {
    const row = await this.db.selectFrom('progress').select(['entered_at', 'ended_at'])
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).executeTakeFirst();
    return { enteredAt: row?.entered_at ?? null, endedAt: row?.ended_at ?? null };
  }
}
