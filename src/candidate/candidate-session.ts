import { z } from 'zod';
import { CandidateLoginReply, CandidateMe, LotteryNumber, PublicExams, type PublicExam } from '../core/api-schema.js';
import type { StoredSnapshot } from '../core/stored-schema.js';
import { ApiRequestError } from '../net/api-error.js';
import { flushOutbox } from '../net/outbox-sender.js';
import { ServerClock } from '../net/server-clock.js';
import { SessionStore } from '../net/session-store.js';
import { deviceUploadDeps } from '../net/sync-all.js';
import { CREDENTIAL_PROBLEM } from '../net/uploader.js';
import { saveUploadCredential } from '../storage/credentials.js';
import { deviceId, kvDelete, kvGet, kvSet } from '../storage/kv.js';
import { clearProblems } from '../storage/recording-store.js';
import { peek } from '../storage/outbox.js';

export interface LoginInput {
  examId: string | null;
  candidateId: string;
  ticketCode: string;
  takeOver: boolean;
}

/** How long a logout waits for the outbox (events still speak for the candidate until it ends). */
const LOGOUT_FLUSH_MS = 5_000;

/**
 * The candidate's side of the server: login, the stored session (it survives reloads and
 * restarts), the last known state for offline use, and the lottery. Elements call this; it
 * holds no UI.
 */
export class CandidateSession {
  readonly store = new SessionStore('candidate');
  readonly api = this.store.api;
  readonly clock = new ServerClock(this.api);
  snapshot: StoredSnapshot | null = null;
  /** Counts logins and logouts: a reply for an earlier session is not applied. */
  private epoch = 0;

  get session() {
    return this.store.session;
  }

  /** Restores what this device kept: session, clock and last snapshot. Works offline. */
  async restore(): Promise<void> {
    await this.clock.restore();
    await this.store.restore();
    this.snapshot = this.session ? ((await kvGet('snapshot:candidate')) ?? null) : null;
  }

  async publicExams(): Promise<PublicExam[]> {
    return (await this.api.request('GET', '/api/exams', PublicExams)).exams;
  }

  async login(input: LoginInput): Promise<void> {
    const reply = await this.api.request('POST', '/api/session/candidate', CandidateLoginReply, {
      ...(input.examId ? { examId: input.examId } : {}),
      candidateId: input.candidateId,
      ticketCode: input.ticketCode,
      deviceId: await deviceId(),
      takeOver: input.takeOver,
    });
    const { uploadCredential, uploadCredentialExpiresAt, ...tokens } = reply;
    const owner = { examId: reply.examId, candidateId: input.candidateId };
    // Kept per candidate: on a shared PC the previous candidate's evidence keeps its own credential.
    await saveUploadCredential({ ...owner, token: uploadCredential, expiresAt: uploadCredentialExpiresAt });
    await clearProblems(owner, CREDENTIAL_PROBLEM);
    this.epoch++;
    await this.store.save({ role: 'candidate', ...tokens });
    await this.load();
  }

  /**
   * Fresh state from the server, stored for offline use; when the server cannot be reached the
   * stored snapshot stands. A session ended elsewhere clears the session and rethrows.
   */
  async load(): Promise<{ snapshot: StoredSnapshot | null; fresh: boolean }> {
    const epoch = this.epoch;
    try {
      if (!this.clock.known) await this.clock.syncNow();
      const me = await this.api.authed('GET', '/api/candidate/me', CandidateMe);
      // A logout (or another login) while this was on its way: the answer is about a session this
      // device no longer holds — stored, it would bring the last candidate back onto a shared PC.
      if (epoch !== this.epoch) return { snapshot: this.snapshot, fresh: true };
      this.snapshot = { me, savedAt: this.clock.now() };
      await kvSet('snapshot:candidate', this.snapshot);
    } catch (err) {
      if (epoch !== this.epoch) return { snapshot: this.snapshot, fresh: true };
      if (err instanceof ApiRequestError && err.isNetwork) return { snapshot: this.snapshot, fresh: false };
      if (err instanceof ApiRequestError && err.status === 401) await this.forget();
      throw err;
    }
    return { snapshot: this.snapshot, fresh: true };
  }

  async draw(): Promise<LotteryNumber> {
    const lottery = await this.api.authed('POST', '/api/candidate/lottery/draw', LotteryNumber);
    await this.patchMe({ lottery });
    return lottery;
  }

  /** Applies what a call returned to the stored state, so an offline reload shows it too. */
  async patchMe(patch: Partial<CandidateMe>): Promise<void> {
    if (!this.snapshot) return;
    this.snapshot = { ...this.snapshot, me: { ...this.snapshot.me, ...patch } };
    await kvSet('snapshot:candidate', this.snapshot);
  }

  /**
   * Ends the session on the server when reachable. Events and chat still queued go first (after
   * a logout this device no longer speaks for the candidate); recordings keep uploading with the
   * candidate's own credential, whoever signs in next. While any of this candidate's events or
   * chat are still on the device (offline), the server is not told: a logout arriving before them
   * would make the server refuse them (an early end typed offline would be lost). The session
   * then simply ends with the exam; its tokens are forgotten here at once.
   */
  async logout(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      flushOutbox(deviceUploadDeps, { wait: true }).catch(() => undefined),
      new Promise((r) => { timer = setTimeout(r, LOGOUT_FLUSH_MS); }),
    ]);
    clearTimeout(timer);
    const me = this.snapshot?.me;
    const waiting = me ? await peek(1, (i) => i.examId !== me.exam.id || i.candidateId !== me.candidate.id) : [];
    if (waiting.length === 0) await this.api.authed('DELETE', '/api/session/candidate', z.null()).catch(() => undefined);
    await this.forget();
  }

  private async forget(): Promise<void> {
    this.epoch++;
    this.snapshot = null;
    await this.store.forget();
    await kvDelete('snapshot:candidate');
  }
}
