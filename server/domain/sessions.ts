import { randomUUID } from 'node:crypto';
import type { CandidateLoginReply, SessionTokens } from '../../src/core/api-schema.js';
import type { StoredCandidate } from '../../src/core/exam-schema.js';
import type { Db } from '../db/open.js';
import type { AccessClaims, MediaClaims, TokenSigner, UploadClaims } from '../auth/tokens.js';
import { verifyPassword } from '../auth/password.js';
import type { TicketCodes } from '../auth/ticket-codes.js';
import type { Attempt, LoginThrottle } from '../auth/login-throttle.js';
import { ApiError, unauthorized } from '../http/api-error.js';
import type { ExamStore, StoredExam } from './exam-store.js';
import { RefreshTokens } from './refresh-tokens.js';
import { lockFor } from '../db/engine.js';

const HOUR = 3_600_000;
/** A candidate may keep refreshing until a day after the exam (upload screen, chat history). */
const CANDIDATE_SESSION_AFTER_END_MS = 24 * HOUR;
const PROCTOR_SESSION_MS = 12 * HOUR;
/** Ends after which the device no longer speaks for the candidate (its uploads go on). */
const SILENCING_ENDS = new Set(['logout', 'taken_over', 'refresh_reuse']);

export interface CandidateLogin { examId?: string | undefined; candidateId: string; ticketCode: string; deviceId: string; takeOver: boolean; address: string }
export interface ProctorLogin { examId: string; proctorId: string; password: string; deviceId: string; address: string }
/** An upload credential as the server holds it: `evidence` scope for a phone; retired once replaced. */
export type UploadAuth = Omit<UploadClaims, 'scope'> & { scope: 'all' | 'evidence'; retiredAt: number | null };
export type SessionEndListener = (sid: string, reason: string) => void;

export interface SessionDeps {
  db: Db;
  exams: ExamStore;
  signer: TokenSigner;
  codes: TicketCodes;
  throttle: LoginThrottle;
  log: (line: string) => void;
  now: () => number;
}

/**
 * Logins, refreshes and the one-active-login rule (R2): a second candidate login on another
 * device is refused with `already_logged_in` unless the request says `takeOver` (sent only after
 * the candidate confirmed), which ends the first session. The same device logging in again is a
 * resume, not a second login. Upload credentials are never ended by a takeover or logout.
 */
export class Sessions {
  private readonly listeners = new Set<SessionEndListener>();
  private readonly refreshTokens: RefreshTokens;

  constructor(private readonly d: SessionDeps) {
    this.refreshTokens = new RefreshTokens(d.db, d.now);
  }

  /** Called with each session ended here (logout, takeover, expiry, token theft). */
  onEnded(listener: SessionEndListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async candidateLogin(req: CandidateLogin): Promise<CandidateLoginReply> {
    const attempt: Attempt = {
      account: `candidate:${req.candidateId}`, address: req.address,
      knownDevice: await this.knownDevice('candidate', req.candidateId, req.deviceId, req.examId),
    };
    await this.d.throttle.begin(attempt);
    const found = await this.findCandidate(req);
    if (!found) {
      await this.failed(attempt, `candidate "${req.candidateId}"${req.examId ? ` in exam ${req.examId}` : ''}`, 'wrong id or ticket code');
      throw new ApiError(401, 'invalid_credentials', 'wrong candidate id or ticket code');
    }
    await this.d.throttle.succeeded(attempt);
    const { exam, candidate } = found;
    const now = this.d.now();
    const { loginOpensAt, startAt, retentionEndsAt } = exam.times;
    if (now < loginOpensAt) throw new ApiError(403, 'login_not_open', 'login has not opened yet', { opensAt: loginOpensAt });
    if (now >= startAt) throw new ApiError(403, 'login_closed', 'the exam has started; logins are closed', { startAt });

    // One login decision per candidate at a time: two devices signing in together cannot both win.
    const { tokens, ended } = await this.d.db.transaction().execute(async (trx) => {
      await lockFor(trx, `login:${exam.config.id}:${candidate.id}`);
      const active = await this.activeSessions(exam.config.id, 'candidate', candidate.id, trx);
      const elsewhere = active.filter((s) => s.device_id !== req.deviceId);
      if (elsewhere.length > 0 && !req.takeOver) {
        throw new ApiError(409, 'already_logged_in', 'this candidate is signed in on another device', {
          since: Math.min(...elsewhere.map((s) => s.created_at)),
        });
      }
      const ended = [
        ...await this.closeSessions(trx, elsewhere.map((s) => s.id), 'taken_over'),
        ...await this.closeSessions(trx, active.filter((s) => s.device_id === req.deviceId).map((s) => s.id), 'relogin'),
      ];
      return { tokens: await this.createSession(exam.config.id, 'candidate', candidate.id, req.deviceId, trx), ended };
    });
    this.announce(ended);
    const credentialId = randomUUID();
    await this.d.db.insertInto('upload_credentials').values({
      id: credentialId, exam_id: exam.config.id, candidate_id: candidate.id, device_id: req.deviceId,
      issued_at: now, expires_at: retentionEndsAt, revoked_at: null,
    }).execute();
    const uploadCredential = await this.d.signer.signUpload(
      { sub: candidate.id, exam: exam.config.id, dev: req.deviceId, jti: credentialId }, retentionEndsAt);
    return { ...tokens, examId: exam.config.id, uploadCredential, uploadCredentialExpiresAt: retentionEndsAt };
  }

  async proctorLogin(req: ProctorLogin): Promise<SessionTokens> {
    const attempt: Attempt = {
      account: `proctor:${req.examId}/${req.proctorId}`, address: req.address,
      knownDevice: await this.knownDevice('proctor', req.proctorId, req.deviceId, req.examId),
    };
    await this.d.throttle.begin(attempt);
    const exam = await this.d.exams.get(req.examId);
    const proctor = exam?.config.proctors.find((p) => p.id === req.proctorId);
    // Verify against a dummy hash when unknown, so timing does not reveal which ids exist.
    const ok = await verifyPassword(req.password, proctor?.passwordHash ?? DUMMY_HASH);
    if (!exam || !proctor || !ok) {
      await this.failed(attempt, `proctor "${req.proctorId}" in exam ${req.examId}`, 'wrong exam, id or password');
      throw new ApiError(401, 'invalid_credentials', 'wrong exam, proctor id or password');
    }
    await this.d.throttle.succeeded(attempt);
    return this.createSession(exam.config.id, 'proctor', proctor.id, req.deviceId);
  }

  /**
   * A bound evidence phone's session and its upload credential, scoped to the candidate's evidence
   * recording (the binding code was checked by the caller).
   */
  async phoneSession(exam: StoredExam, candidateId: string, deviceId: string): Promise<{ tokens: SessionTokens; credentialId: string; uploadCredential: string; expiresAt: number }> {
    const tokens = await this.createSession(exam.config.id, 'phone', candidateId, deviceId);
    const credentialId = randomUUID();
    const expiresAt = exam.times.retentionEndsAt;
    await this.d.db.insertInto('upload_credentials').values({
      id: credentialId, exam_id: exam.config.id, candidate_id: candidateId, device_id: deviceId,
      issued_at: this.d.now(), expires_at: expiresAt, revoked_at: null, scope: 'evidence', retired_at: null,
    }).execute();
    const uploadCredential = await this.d.signer.signUpload(
      { sub: candidateId, exam: exam.config.id, dev: deviceId, jti: credentialId, scope: 'evidence' }, expiresAt);
    return { tokens, credentialId, uploadCredential, expiresAt };
  }

  /** Ends a replaced phone's session at once (its socket closes with session-ended). */
  async endPhoneSessions(examId: string, candidateId: string, deviceId: string): Promise<void> {
    const rows = await this.activeSessions(examId, 'phone', candidateId);
    await this.endSessions(rows.filter((r) => r.device_id === deviceId).map((r) => r.id), 'phone_replaced');
  }

  /** A new access token and a new refresh token; the one presented is retired (rotation). */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const [sid, secret, extra] = refreshToken.split('.');
    if (!sid || !secret || extra !== undefined) throw unauthorized();
    const row = await this.d.db.selectFrom('sessions').selectAll().where('id', '=', sid).executeTakeFirst();
    if (!row) throw unauthorized();
    if (row.ended_at !== null) throw endedError(row.end_reason);
    if (this.d.now() >= await this.sessionEndsAt(row)) {
      await this.endSessions([row.id], 'expired');
      throw endedError('expired');
    }
    const outcome = await this.refreshTokens.rotate(sid, secret, row.refresh_hash);
    if (outcome.kind === 'unknown') throw unauthorized();
    if (outcome.kind === 'reused') {
      this.d.log(`auth: a retired refresh token of ${row.role} "${row.subject_id}" (exam ${row.exam_id}) was used again; the session is ended`);
      await this.endSessions([row.id], 'refresh_reuse');
      throw endedError('refresh_reuse');
    }
    await this.d.db.updateTable('sessions').set({ last_seen_at: this.d.now() }).where('id', '=', sid).execute();
    const access = await this.d.signer.signAccess({ role: row.role, sub: row.subject_id, exam: row.exam_id, sid });
    return { token: access.token, tokenExpiresAt: access.expiresAt, refreshToken: outcome.refreshToken };
  }

  /** The claims of a valid access token whose session is still active. */
  async authenticate(token: string): Promise<AccessClaims> {
    const claims = await this.d.signer.verifyAccess(token);
    if (!claims) throw unauthorized();
    const row = await this.d.db.selectFrom('sessions').select(['ended_at', 'end_reason']).where('id', '=', claims.sid).executeTakeFirst();
    if (!row) throw unauthorized();
    if (row.ended_at !== null) throw endedError(row.end_reason);
    return claims;
  }

  /** A proctor's media ticket (review playback): its claims while the session it came from is active. */
  async authenticateMedia(ticket: string): Promise<MediaClaims> {
    const claims = await this.d.signer.verifyMedia(ticket);
    if (!claims) throw unauthorized('invalid or expired media ticket: reopen the review page');
    const row = await this.d.db.selectFrom('sessions').select(['ended_at', 'end_reason', 'role']).where('id', '=', claims.sid).executeTakeFirst();
    if (!row || row.role !== 'proctor') throw unauthorized();
    if (row.ended_at !== null) throw endedError(row.end_reason);
    return claims;
  }

  /**
   * The claims of an upload credential that was issued here and not revoked, with its scope as
   * stored (a phone's: evidence only) and when it was retired (a replaced phone's), if it was.
   */
  async authenticateUpload(token: string): Promise<UploadAuth> {
    const claims = await this.d.signer.verifyUpload(token);
    if (!claims) {
      const ended = this.d.signer.uploadExpiredAt(token);
      throw unauthorized(ended === null ? 'invalid upload credential'
        : `the exam's retention period ended on ${new Date(ended).toISOString()}: nothing more is accepted for it, and its evidence is deleted`);
    }
    const row = await this.d.db.selectFrom('upload_credentials').select(['revoked_at', 'scope', 'retired_at']).where('id', '=', claims.jti).executeTakeFirst();
    if (!row || row.revoked_at !== null) throw unauthorized('upload credential revoked');
    return { ...claims, scope: row.scope, retiredAt: row.retired_at };
  }

  /**
   * Whether this device still speaks for the candidate: its device is that of the candidate's
   * latest session, and that session was not ended by a takeover, a logout or token theft (an
   * expired session still counts: the device may post hours after the exam). Otherwise its upload
   * credential only uploads the recordings it made.
   */
  async isCurrentDevice(upload: UploadAuth): Promise<boolean> {
    if (upload.scope !== 'all') return false;
    // The active session if there is one (one device at a time), else the one that ended last.
    const latest = await this.d.db.selectFrom('sessions').select(['device_id', 'end_reason'])
      .where('exam_id', '=', upload.exam).where('role', '=', 'candidate').where('subject_id', '=', upload.sub)
      .orderBy((eb) => eb.case().when('ended_at', 'is', null).then(0).else(1).end())
      .orderBy('ended_at', 'desc').orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    return latest !== undefined && latest.device_id === upload.dev && !SILENCING_ENDS.has(latest.end_reason ?? '');
  }

  /** The device a session was opened on. */
  async deviceOf(sid: string): Promise<string> {
    const row = await this.d.db.selectFrom('sessions').select('device_id').where('id', '=', sid).executeTakeFirst();
    if (!row) throw unauthorized();
    return row.device_id;
  }

  async logout(sid: string): Promise<void> {
    await this.endSessions([sid], 'logout');
  }

  async isLoggedIn(examId: string, candidateId: string): Promise<boolean> {
    return (await this.activeSessions(examId, 'candidate', candidateId)).length > 0;
  }

  private async failed(attempt: Attempt, who: string, why: string): Promise<void> {
    const count = await this.d.throttle.failed(attempt);
    this.d.log(`auth: login failed for ${who} from ${attempt.address}: ${why} (${count} in a row)`);
  }

  /** Has this device signed in to this account before? Then the account's delays spare it. */
  private async knownDevice(role: 'candidate' | 'proctor', subject: string, deviceId: string, examId?: string): Promise<boolean> {
    let q = this.d.db.selectFrom('sessions').select('id')
      .where('role', '=', role).where('subject_id', '=', subject).where('device_id', '=', deviceId);
    if (examId) q = q.where('exam_id', '=', examId);
    return (await q.limit(1).executeTakeFirst()) !== undefined;
  }

  private async findCandidate(req: CandidateLogin): Promise<{ exam: StoredExam; candidate: StoredCandidate } | null> {
    const ids = req.examId ? [req.examId] : await this.d.exams.ids();
    const matches: { exam: StoredExam; candidate: StoredCandidate }[] = [];
    for (const id of ids) {
      const exam = await this.d.exams.get(id);
      const candidate = exam?.config.roster.find((c) => c.id === req.candidateId);
      if (exam && candidate && this.d.codes.matches(req.ticketCode, candidate.ticketCodeHash)) matches.push({ exam, candidate });
    }
    if (matches.length > 1) throw new ApiError(400, 'exam_ambiguous', 'this candidate is in several exams; open the exam link you were given');
    return matches[0] ?? null;
  }

  private async createSession(examId: string, role: AccessClaims['role'], subject: string, deviceId: string, db: Db = this.d.db): Promise<SessionTokens> {
    const sid = randomUUID();
    const refresh = this.refreshTokens.issue(sid);
    const now = this.d.now();
    await db.insertInto('sessions').values({
      id: sid, exam_id: examId, role, subject_id: subject, device_id: deviceId,
      refresh_hash: refresh.hash, created_at: now, last_seen_at: now, ended_at: null, end_reason: null,
    }).execute();
    const access = await this.d.signer.signAccess({ role, sub: subject, exam: examId, sid });
    return { token: access.token, tokenExpiresAt: access.expiresAt, refreshToken: refresh.token };
  }

  private activeSessions(examId: string, role: AccessClaims['role'], subject: string, db: Db = this.d.db) {
    return db.selectFrom('sessions').select(['id', 'device_id', 'created_at'])
      .where('exam_id', '=', examId).where('role', '=', role).where('subject_id', '=', subject)
      .where('ended_at', 'is', null).execute();
  }

  private async endSessions(ids: string[], reason: string): Promise<void> {
    this.announce(await this.closeSessions(this.d.db, ids, reason));
  }

  /** Marks sessions ended; the listeners hear of them once that is committed (`announce`). */
  private async closeSessions(db: Db, ids: string[], reason: string): Promise<{ sid: string; reason: string }[]> {
    if (ids.length === 0) return [];
    await db.updateTable('sessions').set({ ended_at: this.d.now(), end_reason: reason })
      .where('id', 'in', ids).where('ended_at', 'is', null).execute();
    return ids.map((sid) => ({ sid, reason }));
  }

  private announce(ended: { sid: string; reason: string }[]): void {
    for (const { sid, reason } of ended) for (const listener of this.listeners) listener(sid, reason);
  }

  private async sessionEndsAt(row: { role: string; exam_id: string; created_at: number }): Promise<number> {
    if (row.role === 'proctor') return row.created_at + PROCTOR_SESSION_MS;
    const exam = await this.d.exams.get(row.exam_id);
    return exam ? exam.times.endAt + CANDIDATE_SESSION_AFTER_END_MS : 0;
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function endedError(reason: string | null): ApiError {
  if (reason === 'phone_replaced') return new ApiError(401, 'phone_replaced', 'another phone was bound as the evidence camera; this phone records no more');
  return reason === 'taken_over'
    ? new ApiError(401, 'session_replaced', 'this session was ended by a login on another device')
    : new ApiError(401, 'session_ended', 'this session has ended; sign in again');
}
