import { randomInt } from 'node:crypto';
import type { LotteryNumber } from '../../src/core/api-schema.js';
import type { Db } from '../db/open.js';
import type { ExamStore } from './exam-store.js';
import { lockFor } from '../db/engine.js';

/** Draw numbers (R5): unique per room, chosen by the server at random, never changed once given. */
export class Lottery {
  constructor(private readonly db: Db, private readonly exams: ExamStore, private readonly now: () => number) {}

  async get(examId: string, candidateId: string): Promise<LotteryNumber | null> {
    const row = await this.db.selectFrom('lottery').select(['number', 'method', 'assigned_at'])
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).executeTakeFirst();
    return row ? { number: row.number, method: row.method, assignedAt: row.assigned_at } : null;
  }

  /** The candidate's number: the one they have, else a new one ('auto' once the lottery closed). */
  async draw(examId: string, candidateId: string): Promise<LotteryNumber> {
    const exam = await this.exams.get(examId);
    const candidate = exam?.config.roster.find((c) => c.id === candidateId);
    if (!exam || !candidate) throw new Error(`no candidate ${candidateId} in exam ${examId}`);
    const roomSize = exam.config.roster.filter((c) => c.room === candidate.room).length;
    const method = this.now() >= exam.times.lotteryClosesAt ? 'auto' : 'draw';
    return (await this.assign(examId, candidateId, candidate.room, roomSize, method)).lottery;
  }

  /** Gives a number to everyone in the roster who has none. Returns how many were assigned. */
  async assignMissing(examId: string): Promise<number> {
    const exam = await this.exams.get(examId);
    if (!exam) return 0;
    const have = new Set((await this.db.selectFrom('lottery').select('candidate_id')
      .where('exam_id', '=', examId).execute()).map((r) => r.candidate_id));
    const roomSizes = new Map<string, number>();
    for (const c of exam.config.roster) roomSizes.set(c.room, (roomSizes.get(c.room) ?? 0) + 1);
    let assigned = 0;
    for (const c of exam.config.roster) {
      if (have.has(c.id)) continue;
      if ((await this.assign(examId, c.id, c.room, roomSizes.get(c.room) ?? 1, 'auto')).created) assigned++;
    }
    return assigned;
  }

  private async assign(examId: string, candidateId: string, room: string, roomSize: number, method: 'draw' | 'auto'): Promise<{ lottery: LotteryNumber; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      // One draw per room at a time: the free numbers read below stay free until this one commits.
      await lockFor(trx, `lottery:${examId}:${room}`);
      const existing = await trx.selectFrom('lottery').select(['number', 'method', 'assigned_at'])
        .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).executeTakeFirst();
      if (existing) return { lottery: { number: existing.number, method: existing.method, assignedAt: existing.assigned_at }, created: false };
      const taken = new Set((await trx.selectFrom('lottery').select('number')
        .where('exam_id', '=', examId).where('room', '=', room).execute()).map((r) => r.number));
      const number = pickFree(taken, roomSize);
      const assignedAt = this.now();
      await trx.insertInto('lottery').values({ exam_id: examId, candidate_id: candidateId, room, number, method, assigned_at: assignedAt }).execute();
      return { lottery: { number, method, assignedAt }, created: true };
    });
  }
}

/** A uniformly random number in 1..size that is not taken; past the end if the roster shrank. */
export function pickFree(taken: ReadonlySet<number>, size: number): number {
  const free: number[] = [];
  for (let n = 1; n <= size; n++) if (!taken.has(n)) free.push(n);
  if (free.length === 0) return Math.max(size, ...taken) + 1;
  return free[randomInt(free.length)] ?? size + 1;
}
