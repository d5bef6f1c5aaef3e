import type { ChatMessage, ChatOut, ExamEvent } from '../../src/core/event-schema.js';
import { GroupCommit } from '../db/group-commit.js';
import type { Db } from '../db/open.js';
import type { Database } from '../db/schema.js';
import type { Changes } from './changes.js';

/**
 * The integrity event log and the help chat (store-and-forward): devices post what they kept
 * offline; a repeat of an id is ignored; each row has the device's server-time estimate and the
 * server's own receive time.
 */
export class EventLog {
  /** A batch is one transaction; batches posted at the same moment share its commit. */
  private readonly writes: GroupCommit<Database>;

  /** `changes`: new chat messages are announced there (the live console and the candidate's socket). */
  constructor(private readonly db: Db, private readonly now: () => number, private readonly changes?: Changes) {
    this.writes = new GroupCommit(db);
  }

  /** Stores new events (all or none); returns those not seen before (a retry returns none). */
  add(examId: string, candidateId: string, events: ExamEvent[]): Promise<ExamEvent[]> {
    const receivedAt = this.now();
    return this.writes.run(async (trx) => {
      const fresh: ExamEvent[] = [];
      for (const e of events) {
        const result = await trx.insertInto('events').values({
          exam_id: examId, candidate_id: candidateId, id: e.id, type: e.type, client_at: e.at, received_at: receivedAt,
          detail: e.detail ? JSON.stringify(e.detail) : null,
        }).onConflict((oc) => oc.columns(['exam_id', 'candidate_id', 'id']).doNothing()).executeTakeFirst();
        if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) fresh.push(e);
      }
      return fresh;
    });
  }

  async has(examId: string, candidateId: string, id: string): Promise<boolean> {
    const row = await this.db.selectFrom('events').select('id').where('exam_id', '=', examId).where('candidate_id', '=', candidateId)
      .where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  async list(examId: string, candidateId: string): Promise<(ExamEvent & { receivedAt: number })[]> {
    const rows = await this.db.selectFrom('events').selectAll().where('exam_id', '=', examId).where('candidate_id', '=', candidateId)
      .orderBy('client_at').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id, type: r.type as ExamEvent['type'], at: r.client_at, receivedAt: r.received_at,
      ...(r.detail ? { detail: JSON.parse(r.detail) as ExamEvent['detail'] } : {}),
    }));
  }

  /** Stores new messages (all or none); returns those not seen before, as the thread lists them. */
  async addChat(examId: string, candidateId: string, sender: ChatMessage['from'], messages: ChatOut[], kind: ChatMessage['kind'] = 'message'): Promise<ChatMessage[]> {
    const receivedAt = this.now();
    const fresh = await this.writes.run(async (trx) => {
      const out: ChatMessage[] = [];
      for (const m of messages) {
        const res = await trx.insertInto('chat_messages').values({
          exam_id: examId, candidate_id: candidateId, id: m.id, sender, text: m.text, client_at: m.at, received_at: receivedAt, kind,
        }).onConflict((oc) => oc.columns(['exam_id', 'candidate_id', 'id']).doNothing()).executeTakeFirst();
        if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) out.push({ ...m, from: sender, receivedAt, kind });
      }
      return out;
    });
    for (const message of fresh) this.changes?.emit({ kind: 'chat', exam: examId, candidate: candidateId, message });
    return fresh;
  }

  async chat(examId: string, candidateId: string): Promise<ChatMessage[]> {
    const rows = await this.db.selectFrom('chat_messages').selectAll().where('exam_id', '=', examId).where('candidate_id', '=', candidateId)
      .orderBy('received_at').orderBy('client_at').execute();
    return rows.map((r) => ({ id: r.id, from: r.sender, text: r.text, at: r.client_at, receivedAt: r.received_at, kind: r.kind }));
  }
}
