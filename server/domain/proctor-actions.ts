import { randomUUID } from 'node:crypto';
import type { ProctorAction } from '../../src/core/room-schema.js';
import type { Services } from '../services.js';
import type { StoredExam } from './exam-store.js';

type Deps = Pick<Services, 'db' | 'events' | 'progress' | 'changes' | 'now'>;
export interface Actor { exam: StoredExam; candidate: string; proctor: string }

/**
 * What a proctor does about a candidate (R11): confirm identity after a live check, send a
 * warning, grant extra time, end the exam for cause. Each is stored with server time and the
 * proctor's id, logged in the candidate's event list, and reaches the candidate's device when it
 * is reachable (pushed now, or read with its state when it comes back).
 */
export class ProctorActions {
  constructor(private readonly d: Deps) {}

  async confirmIdentity(a: Actor, note?: string): Promise<void> {
    const examId = a.exam.config.id;
    const at = this.d.now();
    await this.d.db.insertInto('identity_checks').values({
      exam_id: examId, candidate_id: a.candidate, consent: null, consent_at: null, path: null, similarity: null, threshold: null,
      decided_at: null, descriptors: null, confirmed_at: at, confirmed_by: a.proctor,
    }).onConflict((oc) => oc.columns(['exam_id', 'candidate_id']).doUpdateSet({ confirmed_at: at, confirmed_by: a.proctor })).execute();
    const id = await this.record(a, 'confirm-identity', note ? { note } : {}, 'identity-confirmed');
    // The candidate is told, in the help chat (shown in their language by the device).
    await this.d.events.addChat(examId, a.candidate, 'proctor', [{ id: `identity-${id}`, text: 'identity confirmed', at }], 'identity');
  }

  /** A warning shows on the candidate's screen (and stays in their help chat as the proctor's). */
  async warn(a: Actor, text: string): Promise<void> {
    const id = await this.record(a, 'warning', { text }, 'proctor-warning');
    await this.d.events.addChat(a.exam.config.id, a.candidate, 'proctor', [{ id: `warn-${id}`, text, at: this.d.now() }], 'warning');
  }

  async extraTime(a: Actor, minutes: number, reason: string): Promise<void> {
    const progress = await this.d.progress.addTime(a.exam, a.candidate, minutes * 60_000);
    await this.record(a, 'extra-time', { minutes, reason }, 'extra-time');
    this.d.changes.emit({ kind: 'progress', exam: a.exam.config.id, candidate: a.candidate, progress });
  }

  async endForCause(a: Actor, reason: string): Promise<void> {
    const progress = await this.d.progress.end(a.exam, a.candidate, this.d.now(), 'proctor');
    await this.record(a, 'end-for-cause', { reason }, 'ended-for-cause');
    this.d.changes.emit({ kind: 'progress', exam: a.exam.config.id, candidate: a.candidate, progress });
  }

  /** The proctor read the candidate's messages up to now (the tile's unread count). */
  async readChat(a: Actor): Promise<void> {
    const at = this.d.now();
    await this.d.db.insertInto('chat_reads').values({ exam_id: a.exam.config.id, candidate_id: a.candidate, proctor_id: a.proctor, read_at: at })
      .onConflict((oc) => oc.columns(['exam_id', 'candidate_id', 'proctor_id']).doUpdateSet({ read_at: at })).execute();
    this.d.changes.emit({ kind: 'candidate', exam: a.exam.config.id, candidate: a.candidate });
  }

  private async record(a: Actor, type: ProctorAction['type'], detail: ProctorAction['detail'], event: 'identity-confirmed' | 'proctor-warning' | 'extra-time' | 'ended-for-cause'): Promise<string> {
    const id = randomUUID();
    const at = this.d.now();
    const examId = a.exam.config.id;
    await this.d.db.insertInto('proctor_actions').values({ id, exam_id: examId, candidate_id: a.candidate, proctor_id: a.proctor, type, detail: JSON.stringify(detail), at }).execute();
    await this.d.events.add(examId, a.candidate, [{ id: `action-${id}`, type: event, at, detail: { proctor: a.proctor, ...short(detail) } }]);
    this.d.changes.emit({ kind: 'candidate', exam: examId, candidate: a.candidate });
    return id;
  }
}

/** Event details are short strings (≤ 200): long reasons stay whole in the action itself. */
function short(detail: ProctorAction['detail']): ProctorAction['detail'] {
  return Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 200) : v]));
}
