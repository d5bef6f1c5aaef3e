import { sql } from 'kysely';
import { recordingBudget, type RecordingBudget } from '../../src/core/recording-budget.js';
import type { RecordingStatus } from '../../src/core/recording-schema.js';
import type { LimiterFactory } from '../auth/login-throttle.js';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/open.js';
import { ApiError } from '../http/api-error.js';
import type { StoredExam } from './exam-store.js';
import type { EventLog } from './event-log.js';

export function budgetOf(exam: StoredExam): RecordingBudget {
  const r = exam.config.recording;
  return recordingBudget({
    videoBitsPerSecond: r.videoBitsPerSecond, audioBitsPerSecond: r.audioBitsPerSecond, screenBitsPerSecond: r.screenBitsPerSecond,
    maxRecordingBytes: r.maxRecordingBytes, maxCandidateBytes: r.maxCandidateBytes, maxRecordingsPerKind: r.maxRecordingsPerKind,
    examMinutes: (exam.times.endAt - exam.times.entryOpensAt) / 60_000,
  });
}

/** One request's view of its candidate's stored bytes (`Quotas.chunk`). */
export class CandidateTally {
  /** The total when the request's first chunk was checked. */
  stored: Promise<number> | null = null;
  /** What the request's chunks added since (each counted once its check passed). */
  added = 0;
}

/**
 * Per-candidate totals (bytes, recordings per kind, login captures, events), so one credential
 * cannot fill the server. Each refusal is a clear 413 or 429 and is logged for the proctor as a
 * server event `quota-exceeded` (once per limit and minute).
 */
export class Quotas {
  private readonly eventRate: RateLimiterAbstract;

  constructor(private readonly db: Db, private readonly events: EventLog, limiters: LimiterFactory, private readonly now: () => number) {
    this.eventRate = limiters({ keyPrefix: 'events-per-minute', points: 1_000_000, duration: 60 });
  }

  async recordingCreate(exam: StoredExam, candidate: string, id: string, kind: RecordingStatus['kind']): Promise<void> {
    const limit = budgetOf(exam).recordingsPerKind;
    const rows = await this.db.selectFrom('recordings').select('id')
      .where('exam_id', '=', exam.config.id).where('candidate_id', '=', candidate).where('kind', '=', kind).execute();
    if (rows.some((r) => r.id === id) || rows.length < limit) return;
    await this.refuse(exam, candidate, `${kind}-recordings`, limit, 413);
  }

  /**
   * A chunk of `size` bytes about to be stored. `tally`: a framed request's — the candidate's
   * total is read at its first chunk and counted on by the chunks it lets through, not read again
   * for each (like two requests side by side today, one request's chunks may then pass the limit
   * by what a request beside it stored meanwhile).
   */
  async chunk(exam: StoredExam, candidate: string, kind: RecordingStatus['kind'], recordingBytes: number, size: number, tally?: CandidateTally): Promise<void> {
    const budget = budgetOf(exam);
    if (recordingBytes + size > budget.perRecording[kind]) {
      await this.report(exam, candidate, `${kind}-recording-bytes`, budget.perRecording[kind]);
      throw new ApiError(413, 'recording_too_large', `a ${kind} recording may hold at most ${budget.perRecording[kind]} bytes`, { limit: budget.perRecording[kind] });
    }
    const read = () => this.db.selectFrom('recordings').select((eb) => eb.fn.sum<number>('bytes').as('total'))
      .where('exam_id', '=', exam.config.id).where('candidate_id', '=', candidate).executeTakeFirst().then((row) => row?.total ?? 0);
    const total = tally ? (await (tally.stored ??= read())) + tally.added : await read();
    if (total + size > budget.perCandidate) await this.refuse(exam, candidate, 'candidate-bytes', budget.perCandidate, 413);
    if (tally) tally.added += size;
  }

  async loginCapture(exam: StoredExam, candidate: string): Promise<void> {
    const limit = budgetOf(exam).loginCaptures;
    if (await this.countEvents(exam.config.id, candidate, 'login-capture') >= limit) await this.refuse(exam, candidate, 'login-captures', limit, 413);
  }

  /** `n` new events (or chat messages) about to be stored. */
  async eventsIn(exam: StoredExam, candidate: string, n: number, kind: 'events' | 'chat'): Promise<void> {
    const budget = budgetOf(exam);
    const res = await this.eventRate.penalty(`${exam.config.id}/${candidate}`, n);
    if (res.consumedPoints > budget.eventsPerMinute) {
      await this.eventRate.reward(`${exam.config.id}/${candidate}`, n);
      await this.report(exam, candidate, 'events-per-minute', budget.eventsPerMinute);
      const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw new ApiError(429, 'rate_limited', `at most ${budget.eventsPerMinute} events a minute; send the rest in ${seconds} s`,
        { retryAfterS: seconds }, { 'retry-after': String(seconds) });
    }
    const total = kind === 'chat' ? await this.countChat(exam.config.id, candidate) : await this.countEvents(exam.config.id, candidate);
    const limit = kind === 'chat' ? budget.chatMessages : budget.events;
    if (total + n > limit) await this.refuse(exam, candidate, kind, limit, 413);
  }

  private async refuse(exam: StoredExam, candidate: string, what: string, limit: number, status: 413): Promise<never> {
    await this.report(exam, candidate, what, limit);
    throw new ApiError(status, 'quota_exceeded', `limit reached: ${what} (${limit}); the proctor has been told`, { what, limit });
  }

  private async report(exam: StoredExam, candidate: string, what: string, limit: number): Promise<void> {
    const minute = Math.floor(this.now() / 60_000);
    await this.events.add(exam.config.id, candidate, [{ id: `quota-${what}-${minute}`, type: 'quota-exceeded', at: this.now(), detail: { what, limit } }]);
  }

  private async countEvents(examId: string, candidate: string, type?: string): Promise<number> {
    let q = this.db.selectFrom('events').select(sql<number>`count(*)`.as('n')).where('exam_id', '=', examId).where('candidate_id', '=', candidate);
    if (type) q = q.where('type', '=', type);
    return (await q.executeTakeFirst())?.n ?? 0;
  }

  private async countChat(examId: string, candidate: string): Promise<number> {
    const row = await this.db.selectFrom('chat_messages').select(sql<number>`count(*)`.as('n'))
      .where('exam_id', '=', examId).where('candidate_id', '=', candidate).executeTakeFirst();
    return row?.n ?? 0;
  }
}
