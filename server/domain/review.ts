import type { CandidateDetail } from '../../src/core/room-schema.js';
import type { ReviewDecision, ReviewRow } from '../../src/core/review-schema.js';
import { completeness, currentDecisions, flagSpans, flagSubject, reviewPriority, reviewState } from '../../src/core/review.js';
import type { Db } from '../db/open.js';
import { notFound } from '../http/api-error.js';

/**
 * The reviewers' judgements (R13): each flag confirmed or dismissed, each candidate cleared or an
 * incident, every decision appended with who and when (the newest per subject stands).
 */
export class ReviewDecisions {
  constructor(private readonly db: Db, private readonly now: () => number) {}

  async list(exam: string, candidate: string): Promise<ReviewDecision[]> {
    const rows = await this.db.selectFrom('review_decisions').selectAll().where('exam_id', '=', exam).where('candidate_id', '=', candidate)
      .orderBy('decided_at').orderBy('id').execute();
    return rows.map((r) => ({ subject: r.subject, decision: r.decision as ReviewDecision['decision'], note: r.note, by: r.decided_by, at: r.decided_at }));
  }

  /** Flags are judged by the event id of their raise; one that is not this candidate's is 404. */
  async judgeFlag(exam: string, candidate: string, detail: CandidateDetail, flagId: string, verdict: 'confirmed' | 'dismissed', note: string, by: string): Promise<void> {
    if (!flagSpans(detail.events).some((f) => f.id === flagId)) throw notFound('no such flag of this candidate');
    await this.add(exam, candidate, flagSubject(flagId), verdict, note, by);
  }

  async decide(exam: string, candidate: string, state: 'in-review' | 'cleared' | 'incident', reason: string, by: string): Promise<void> {
    await this.add(exam, candidate, 'candidate', state, reason, by);
  }

  private async add(exam: string, candidate: string, subject: string, decision: string, note: string, by: string): Promise<void> {
    await this.db.insertInto('review_decisions').values({
      exam_id: exam, candidate_id: candidate, subject, decision, note, decided_by: by, decided_at: this.now(),
    }).execute();
  }
}

/** One candidate's row in the reviewer's list, from their detail and the decisions so far. */
export function reviewRow(detail: CandidateDetail, decisions: readonly ReviewDecision[]): ReviewRow {
  const { tile } = detail;
  const judged = currentDecisions(decisions);
  const spans = flagSpans(detail.events);
  const unreviewed = { 'cant-see': 0, suspicious: 0 };
  for (const f of spans) if (!judged.has(flagSubject(f.id))) unreviewed[f.kind]++;
  const base = {
    id: tile.id, name: tile.name, room: tile.room, number: tile.number, entered: tile.progress.enteredAt !== null,
    unreviewed, flags: spans.length, integrity: tile.integrity, outages: tile.outages, identity: tile.identity,
    completeness: completeness(tile.uploads), state: reviewState(decisions),
  };
  return { ...base, priority: reviewPriority(base) };
}
