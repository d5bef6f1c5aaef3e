import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CandidateLoginReply, SessionTokens } from '../../src/core/api-schema.js';
import type { Candidate } from '../../src/core/exam-schema.js';
import type { Db } from '../db/open.js';
import type { AccessClaims, TokenSigner, UploadClaims } from '../auth/tokens.js';
import { verifyPassword } from '../auth/password.js';
import { ApiError, unauthorized } from '../http/api-error.js';
import type { ExamStore, StoredExam } from './exam-store.js';

const HOUR = 3_600_000;
/** A candidate may keep refreshing until a day after the exam (upload screen, chat history). */
const CANDIDATE_SESSION_AFTER_END_MS = 24 * HOUR;
const PROCTOR_SESSION_MS = 12 * HOUR;

export interface CandidateLogin { examId?: string | undefined; candidateId: string; ticketCode: string; deviceId: string; takeOver: boolean }
export interface ProctorLogin { examId: string; proctorId: string; password: string; deviceId: string }

/**
 * Logins, refreshes and the one-active-login rule (R2): a second candidate login on another
 * device is refused with `already_logged_in` unless the request says `takeOver` (sent only after
 * the candidate confirmed), which ends the first session. The same device logging in again is a
 * resume, not a second login. Upload credentials are never ended by a takeover or logout.
 */
export class Sessions {
  constructor(
    private readonly db: Db,
    private readonly exams: ExamStore,
    private readonly signer: TokenSigner,
    private readonly now: () => number,
  ) {}

  async candidateLogin(req: CandidateLogin): Promise<CandidateLoginReply> {
    const { exam, candidate } = await this.findCandidate(req);
    const now = this.now();
    const { loginOpensAt, startAt, retentionEndsAt } = exam.times;
    if (now < loginOpensAt) throw new ApiError(403, 'login_not_open', 'login has not opened yet', { opensAt: loginOpensAt });
    if (now >= startAt) throw new ApiError(403, 'login_closed', 'the exam has started; logins are closed', { startAt });

    const active = await this.activeSessions(exam.config.id, 'candidate', candidate.id);
    const elsewhere = active.filter((s) => s.device_id !== req.deviceId);
    if (elsewhere.length > 0 && !req.takeOver) {
      throw new ApiError(409, 'already_logged_in', 'this candidate is signed in on another device', {
        since: Math.min(...elsewhere.map((s) => s.created_at)),
      });
    }
    await this.endSessions(elsewhere.map((s) => s.id), 'taken_over');
    await this.endSessions(active.filter((s) => s.device_id === req.deviceId).map((s) => s.id), 'relogin');

    const tokens = await this.createSession(exam.config.id, 'candidate', candidate.id, req.deviceId);
    const credentialId = randomUUID();
    await this.db.insertInto('upload_credentials').values({
      id: credentialId, exam_id: exam.config.id, candidate_id: candidate.id, device_id: req.deviceId,
      issued_at: now, expires_at: retentionEndsAt, revoked_at: null,
    }).execute();
    const uploadCredential = await this.signer.signUpload(
      { sub: candidate.id, exam: exam.config.id, dev: req.deviceId, jti: credentialId }, retentionEndsAt);
    return { ...tokens, examId: exam.config.id, uploadCredential, uploadCredentialExpiresAt: retentionEndsAt };
  }

  async proctorLogin(req: ProctorLogin): Promise<SessionTokens> {
    const exam = await this.exams.get(req.examId);
    const proctor = exam?.config.proctors.find((p) => p.id === req.proctorId);
    // Verify against a dummy hash when unknown, so timing does not reveal which ids exist.
    const ok = await verifyPassword(req.password, proctor?.passwordHash ?? DUMMY_HASH);
    if (!exam || !proctor || !ok) throw new ApiError(401, 'invalid_credentials', 'wrong exam, proctor id or password');
    return this.createSession(exam.config.id, 'proctor', proctor.id, req.deviceId);
  }

  async refresh(refreshToken: string): Promise<SessionTokens> {
    const [sid, secret] = refreshToken.split('.');
    if (!sid || !secret) throw unauthorized();
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', sid).executeTakeFirst();
    if (!row || !sameHash(row.refresh_hash, secret)) throw unauthorized();
    if (row.ended_at !== null) throw endedError(row.end_reason);
    if (this.now() >= await this.sessionEndsAt(row)) {
      await this.endSessions([row.id], 'expired');
      throw endedError('expired');
    }
    await this.db.updateTable('sessions').set({ last_seen_at: this.now() }).where('id', '=', sid).execute();
    const access = await this.signer.signAccess({ role: row.role, sub: row.subject_id, exam: row.exam_id, sid });
    return { token: access.token, tokenExpiresAt: access.expiresAt, refreshToken };
  }

  /** The claims of a valid access token whose session is still active. */
  async authenticate(token: string): Promise<AccessClaims> {
    const claims = await this.signer.verifyAccess(token);
    if (!claims) throw unauthorized();
    const row = await this.db.selectFrom('sessions').select(['ended_at', 'end_reason']).where('id', '=', claims.sid).executeTakeFirst();
    if (!row) throw unauthorized();
    if (row.ended_at !== null) throw endedError(row.end_reason);
    return claims;
  }

  /** The claims of an upload credential that was issued here and not revoked. */
  async authenticateUpload(token: string): Promise<UploadClaims> {
    const claims = await this.signer.verifyUpload(token);
    if (!claims) throw unauthorized('invalid upload credential');
    const row = await this.db.selectFrom('upload_credentials').select('revoked_at').where('id', '=', claims.jti).executeTakeFirst();
    if (!row || row.revoked_at !== null) throw unauthorized('upload credential revoked');
    return claims;
  }

  async logout(sid: string): Promise<void> {
    await this.endSessions([sid], 'logout');
  }

  async isLoggedIn(examId: string, candidateId: string): Promise<boolean> {
    return (await this.activeSessions(examId, 'candidate', candidateId)).length > 0;
  }

  private async findCandidate(req: CandidateLogin): Promise<{ exam: StoredExam; candidate: Candidate }> {
    const ids = req.examId ? [req.examId] : await this.exams.ids();
    const matches: { exam: StoredExam; candidate: Candidate }[] = [];
    for (const id of ids) {
      const exam = await this.exams.get(id);
      const candidate = exam?.config.roster.find((c) => c.id === req.candidateId);
      if (exam && candidate && sameText(candidate.ticketCode, req.ticketCode)) matches.push({ exam, candidate });
    }
    if (matches.length > 1) throw new ApiError(400, 'exam_ambiguous', 'this candidate is in several exams; open the exam link you were given');
    if (!matches[0]) throw new ApiError(401, 'invalid_credentials', 'wrong candidate id or ticket code');
    return matches[0];
  }

  private async createSession(examId: string, role: 'candidate' | 'proctor', subject: string, deviceId: string): Promise<SessionTokens> {
    const sid = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.db.insertInto('sessions').values({
      id: sid, exam_id: examId, role, subject_id: subject, device_id: deviceId,
      refresh_hash: sha256(secret), created_at: now, last_seen_at: now, ended_at: null, end_reason: null,
    }).execute();
    const access = await this.signer.signAccess({ role, sub: subject, exam: examId, sid });
    return { token: access.token, tokenExpiresAt: access.expiresAt, refreshToken: `${sid}.${secret}` };
  }

  private activeSessions(examId: string, role: 'candidate' | 'proctor', subject: string) {
    return this.db.selectFrom('sessions').select(['id', 'device_id', 'created_at'])
      .where('exam_id', '=', examId).where('role', '=', role).where('subject_id', '=', subject)
      .where('ended_at', 'is', null).execute();
  }

  private async endSessions(ids: string[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('sessions').set({ ended_at: this.now(), end_reason: reason })
      .where('id', 'in', ids).where('ended_at', 'is', null).execute();
  }

  private async sessionEndsAt(row: { role: string; exam_id: string; created_at: number }): Promise<number> {
    if (row.role === 'proctor') return row.created_at + PROCTOR_SESSION_MS;
    const exam = await this.exams.get(row.exam_id);
    return exam ? exam.times.endAt + CANDIDATE_SESSION_AFTER_END_MS : 0;
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function endedError(reason: string | null): ApiError {
  return reason === 'taken_over'
    ? new ApiError(401, 'session_replaced', 'this session was ended by a login on another device')
    : new ApiError(401, 'session_ended', 'this session has ended; sign in again');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameHash(storedHex: string, secret: string): boolean {
  return timingSafeEqual(Buffer.from(storedHex, 'hex'), createHash('sha256').update(secret).digest());
}

function sameText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
