import type { FaceMatchReport, FaceMatchState } from '../../src/core/api-schema.js';
import type { IdentityPath } from '../../src/core/face-match.js';
import { PHOTO_FILE } from '../../src/core/exam-schema.js';
import type { Db } from '../db/open.js';
import { ApiError } from '../http/api-error.js';
import type { StoredExam } from './exam-store.js';
import type { EventLog } from './event-log.js';

/** Where the roster's reference photo is kept (copied in by `invigil import`). */
export function photoKey(examId: string, candidateId: string, photoPath: string): string {
  const ext = (PHOTO_FILE.exec(photoPath)?.[1] ?? 'jpg').toLowerCase().replace('jpeg', 'jpg');
  return `photos/${examId}/${candidateId}.${ext}`;
}

export const PHOTO_TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/**
 * Face match at login (R2): the candidate's consent and the identity path, as the server records
 * them. The comparison runs on the device; the server keeps its outcome, decides `matched` by its
 * own threshold, and keeps descriptors only when the exam says so. The first answer stands.
 */
export class Identity {
  constructor(private readonly db: Db, private readonly events: EventLog, private readonly now: () => number) {}

  async state(exam: StoredExam, candidateId: string): Promise<FaceMatchState> {
    const match = exam.config.face.match;
    const row = await this.db.selectFrom('identity_checks').selectAll()
      .where('exam_id', '=', exam.config.id).where('candidate_id', '=', candidateId).executeTakeFirst();
    const hasReference = Boolean(exam.config.roster.find((c) => c.id === candidateId)?.photo);
    // Without a reference photo there is nothing to compare (and nothing to consent to).
    const derived: IdentityPath | null = match.enabled && !hasReference ? 'no-reference' : null;
    return {
      enabled: match.enabled,
      threshold: match.threshold,
      storesDescriptors: match.storeDescriptors,
      hasReference,
      consent: row?.consent == null || row.consent_at == null ? null : { given: row.consent === 1, at: row.consent_at },
      path: (row?.path ?? derived) as IdentityPath | null,
    };
  }

  private enabled(exam: StoredExam): void {
    if (!exam.config.face.match.enabled) throw new ApiError(409, 'face_match_off', 'this exam does not use face match');
  }

  /** Consent given or declined. Declining records the non-face path at once. */
  async consent(exam: StoredExam, candidateId: string, given: boolean): Promise<FaceMatchState> {
    this.enabled(exam);
    const examId = exam.config.id;
    const at = this.now();
    await this.db.insertInto('identity_checks').values({
      exam_id: examId, candidate_id: candidateId, consent: given ? 1 : 0, consent_at: at,
      path: given ? null : 'declined', similarity: null, threshold: null, decided_at: given ? null : at, descriptors: null,
    }).onConflict((oc) => oc.columns(['exam_id', 'candidate_id']).doNothing()).execute();
    const state = await this.state(exam, candidateId);
    if (!given && state.path === 'declined') await this.logPath(examId, candidateId, 'declined', null, at);
    return state;
  }

  /** Consent must have been given (the reference photo and the report need it). */
  async requireConsent(exam: StoredExam, candidateId: string): Promise<FaceMatchState> {
    this.enabled(exam);
    const state = await this.state(exam, candidateId);
    if (!state.consent?.given) throw new ApiError(403, 'consent_required', 'face match needs the candidate\'s consent first');
    return state;
  }

  /** The device's outcome. `matched` / `not-matched` are decided again here by the exam's threshold. */
  async report(exam: StoredExam, candidateId: string, report: FaceMatchReport): Promise<FaceMatchState> {
    const state = await this.requireConsent(exam, candidateId);
    if (state.path !== null) return state;
    const { threshold, storeDescriptors } = exam.config.face.match;
    if (report.descriptors && !storeDescriptors) {
      throw new ApiError(400, 'descriptors_not_stored', 'this exam does not keep face descriptors on the server: send none');
    }
    const compared = report.path === 'matched' || report.path === 'not-matched';
    if (compared && report.similarity === null) throw new ApiError(400, 'bad_request', 'a comparison needs its similarity');
    const similarity = compared ? report.similarity : null;
    const path: IdentityPath = similarity === null ? report.path : similarity >= threshold ? 'matched' : 'not-matched';
    const at = this.now();
    const decided = await this.db.updateTable('identity_checks')
      .set({ path, similarity, threshold, decided_at: at, descriptors: report.descriptors ? JSON.stringify(report.descriptors) : null })
      .where('exam_id', '=', exam.config.id).where('candidate_id', '=', candidateId).where('path', 'is', null).executeTakeFirst();
    // Only the report that decided is logged: two racing reports must not leave a log that disagrees with the row.
    if (Number(decided.numUpdatedRows) > 0) await this.logPath(exam.config.id, candidateId, path, similarity, at);
    return this.state(exam, candidateId);
  }

  private async logPath(examId: string, candidateId: string, path: IdentityPath, similarity: number | null, at: number): Promise<void> {
    const detail: Record<string, string | number | boolean> = { path, liveCheck: path !== 'matched' };
    if (similarity !== null) detail.similarity = similarity;
    await this.events.add(examId, candidateId, [{ id: 'identity-path', type: 'face-match', at, detail }]);
  }
}
