import { createHash, randomInt, randomUUID } from 'node:crypto';
import {
  BINDING_ALPHABET, BINDING_CODE_LENGTH, BINDING_CODE_TTL_MS, PHONE_HEARD_MS, normalizeBindingCode,
  type BindReply, type BindingCodeReply, type PhoneReport, type PhoneStatus,
} from '../../src/core/evidence-phone.js';
import type { BindThrottle } from '../auth/bind-throttle.js';
import type { Db } from '../db/open.js';
import { ApiError } from '../http/api-error.js';
import type { Changes } from './changes.js';
import type { EventLog } from './event-log.js';
import type { ExamStore, StoredExam } from './exam-store.js';
import type { Sessions } from './sessions.js';
import type { Progress } from './progress.js';
import type { ReportedBytes } from './reported-bytes.js';
import type { ProgressReply } from '../../src/core/api-schema.js';
import { personalTimes } from '../../src/core/timeline.js';

/** The seed's limit for confirming the phone's upload after the exam (R10), minutes. */
export const PHONE_UPLOAD_LIMIT_MINUTES = 60;

export interface PhoneDeps {
  db: Db;
  exams: ExamStore;
  sessions: Sessions;
  progress: Progress;
  events: EventLog;
  changes: Changes;
  reported: ReportedBytes;
  throttle: BindThrottle;
  log: (line: string) => void;
  now: () => number;
}

const hashCode = (code: string) => createHash('sha256').update(`invigil/binding/v2/${code}`).digest('hex');

/**
 * The candidate's phone as evidence camera (R4): one-time codes the laptop shows, binding a phone
 * by one of them, and what the bound phone reports. One phone is current per candidate; binding
 * another replaces it — the old phone's session ends and its credential is retired: it may still
 * upload the rest of what it recorded before (segments it had opened), and starts nothing new.
 */
export class EvidencePhones {
  constructor(private readonly d: PhoneDeps) {}

  /** A new code for this candidate; any code they had not used yet stops working. */
  async issueCode(examId: string, candidateId: string): Promise<BindingCodeReply> {
    let code = '';
    for (let i = 0; i < BINDING_CODE_LENGTH; i++) code += BINDING_ALPHABET.charAt(randomInt(BINDING_ALPHABET.length));
    const now = this.d.now();
    const expiresAt = now + BINDING_CODE_TTL_MS;
    await this.d.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('binding_codes').where('exam_id', '=', examId).where('candidate_id', '=', candidateId).where('used_at', 'is', null).execute();
      await tx.insertInto('binding_codes').values({ code_hash: hashCode(code), exam_id: examId, candidate_id: candidateId, issued_at: now, expires_at: expiresAt, used_at: null }).execute();
    });
    return { code, expiresAt };
  }

  /** Binds the phone that typed (or scanned) a code; refuses wrong, used and expired codes alike in count. */
  async bind(raw: string, deviceId: string, address: string): Promise<BindReply> {
    await this.d.throttle.begin(address);
    const code = normalizeBindingCode(raw);
    const row = code ? await this.d.db.selectFrom('binding_codes').selectAll().where('code_hash', '=', hashCode(code)).executeTakeFirst() : undefined;
    const now = this.d.now();
    const reason = !row ? 'unknown' : row.used_at !== null ? 'used' : row.expires_at <= now ? 'expired' : null;
    if (!row || reason) {
      await this.d.throttle.failed(address);
      this.d.log(`phone: binding refused from ${address}: ${reason ?? 'unknown'} code`);
      throw new ApiError(401, 'binding_code_invalid', `this binding code is ${reason ?? 'unknown'}; show a new code on the laptop`, { reason });
    }
    const exam = await this.d.exams.get(row.exam_id);
    if (!exam) throw new ApiError(404, 'not_found', 'the exam of this code no longer exists');
    if (now >= exam.times.endAt) throw new ApiError(403, 'exam_over', 'the exam has ended; a phone can no longer be bound');
    // Single use, also under a race: only the request that marks it first goes on.
    const claimed = await this.d.db.updateTable('binding_codes').set({ used_at: now })
      .where('code_hash', '=', row.code_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      await this.d.throttle.failed(address);
      throw new ApiError(401, 'binding_code_invalid', 'this binding code is used; show a new code on the laptop', { reason: 'used' });
    }
    const replaced = await this.replaceCurrent(exam, row.candidate_id, now);
    const { tokens, credentialId, uploadCredential, expiresAt } = await this.d.sessions.phoneSession(exam, row.candidate_id, deviceId);
    await this.d.db.insertInto('evidence_phones').values({
      id: randomUUID(), exam_id: exam.config.id, candidate_id: row.candidate_id, device_id: deviceId, credential_id: credentialId,
      bound_at: now, replaced_at: null, state: 'bound', report: 'null', last_heard_at: now,
    }).execute();
    await this.d.events.add(exam.config.id, row.candidate_id, [{ id: `phone-${credentialId}`, type: 'phone-bound', at: now, detail: { replaced } }]);
    this.d.log(`phone: bound for candidate "${row.candidate_id}" (exam ${exam.config.id})${replaced ? ', replacing the previous phone' : ''}`);
    this.d.changes.emit({ kind: 'candidate', exam: exam.config.id, candidate: row.candidate_id });
    return { ...tokens, examId: exam.config.id, candidateId: row.candidate_id, uploadCredential, uploadCredentialExpiresAt: expiresAt };
  }

  /** The current phone's latest report. */
  async report(examId: string, candidateId: string, deviceId: string, report: PhoneReport): Promise<void> {
    const result = await this.d.db.updateTable('evidence_phones')
      .set({ state: report.state, report: JSON.stringify(report), last_heard_at: this.d.now() })
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).where('device_id', '=', deviceId).where('replaced_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new ApiError(401, 'phone_replaced', 'another phone was bound as the evidence camera; this phone records no more');
    if (report.recordings) this.d.reported.note(examId, candidateId, report.recordings);
    this.d.changes.emit({ kind: 'candidate', exam: examId, candidate: candidateId });
  }

  /**
   * The candidate's current phone as the laptop and the proctor's tile show it, or null before one
   * was bound; `known`: the exam and progress the caller has already read.
   */
  async status(examId: string, candidateId: string, known?: { exam: StoredExam; progress: ProgressReply }): Promise<PhoneStatus | null> {
    const phones = await this.d.db.selectFrom('evidence_phones').selectAll()
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).orderBy('bound_at', 'desc').execute();
    const current = phones.find((p) => p.replaced_at === null);
    if (!current) return null;
    const recs = await this.d.db.selectFrom('recordings').select(['bytes', 'verified_at'])
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).where('kind', '=', 'evidence').execute();
    const exam = known?.exam ?? await this.d.exams.get(examId);
    const progress = known?.progress ?? await this.d.progress.get(examId, candidateId);
    const end = progress.endedAt ?? (exam ? personalTimes(exam.times, progress).endAt : Infinity);
    const verified = recs.length > 0 && recs.every((r) => r.verified_at !== null);
    let report: PhoneReport | null = null;
    try {
      report = JSON.parse(current.report) as PhoneReport | null;
    } catch {
      report = null;
    }
    return {
      state: current.state as PhoneStatus['state'],
      boundAt: current.bound_at,
      lastHeardAt: current.last_heard_at,
      online: this.d.now() - current.last_heard_at < PHONE_HEARD_MS,
      report,
      heldBytes: recs.reduce((sum, r) => sum + r.bytes, 0),
      verified,
      replaced: phones.length - 1,
      overdue: !verified && this.d.now() > end + PHONE_UPLOAD_LIMIT_MINUTES * 60_000,
    };
  }

  private async replaceCurrent(exam: StoredExam, candidateId: string, now: number): Promise<boolean> {
    const current = await this.d.db.selectFrom('evidence_phones').select(['id', 'device_id', 'credential_id'])
      .where('exam_id', '=', exam.config.id).where('candidate_id', '=', candidateId).where('replaced_at', 'is', null).execute();
    for (const old of current) {
      await this.d.db.updateTable('evidence_phones').set({ replaced_at: now }).where('id', '=', old.id).execute();
      await this.d.db.updateTable('upload_credentials').set({ retired_at: now }).where('id', '=', old.credential_id).execute();
      await this.d.sessions.endPhoneSessions(exam.config.id, candidateId, old.device_id);
    }
    return current.length > 0;
  }
}
