import { z } from 'zod';
import { CandidateLoginReply, CandidateMe, LotteryNumber, PublicExams, type PublicExam } from '../core/api-schema.js';
import type { StoredSession, StoredSnapshot } from '../core/stored-schema.js';
import { ApiClient } from '../net/api-client.js';
import { ApiRequestError } from '../net/api-error.js';
import { ServerClock } from '../net/server-clock.js';
import { deviceId, kvDelete, kvGet, kvSet } from '../storage/kv.js';

export interface LoginInput {
  examId: string | null;
  candidateId: string;
  ticketCode: string;
  takeOver: boolean;
}

/**
 * The candidate's side of the server: login, the stored session (it survives reloads and
 * restarts), the last known state for offline use, and the lottery. Elements call this; it
 * holds no UI.
 */
export class CandidateSession {
  readonly api: ApiClient;
  readonly clock: ServerClock;
  session: StoredSession | null = null;
  snapshot: StoredSnapshot | null = null;

  constructor(api?: ApiClient) {
    this.api = api ?? new ApiClient(null, {
      onRefreshed: (tokens) => this.saveTokens(tokens),
      shared: { lockName: 'invigil-refresh-candidate', read: async () => (await kvGet('session:candidate')) ?? null },
    });
    this.clock = new ServerClock(this.api);
  }

  /** Restores what this device kept: session, clock and last snapshot. Works offline. */
  async restore(): Promise<void> {
    await this.clock.restore();
    this.session = (await kvGet('session:candidate')) ?? null;
    this.snapshot = this.session ? ((await kvGet('snapshot:candidate')) ?? null) : null;
    this.api.setCredentials(this.session);
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
    this.session = { role: 'candidate', ...tokens };
    this.api.setCredentials(this.session);
    await kvSet('uploadCredential', { examId: reply.examId, token: uploadCredential, expiresAt: uploadCredentialExpiresAt });
    await kvSet('session:candidate', this.session);
    await this.load();
  }

  /**
   * Fresh state from the server, stored for offline use; when the server cannot be reached the
   * stored snapshot stands. A session ended elsewhere clears the session and rethrows.
   */
  async load(): Promise<{ snapshot: StoredSnapshot | null; fresh: boolean }> {
    try {
      if (!this.clock.known) await this.clock.syncNow();
      const me = await this.api.authed('GET', '/api/candidate/me', CandidateMe);
      this.snapshot = { me, savedAt: this.clock.now() };
      await kvSet('snapshot:candidate', this.snapshot);
    } catch (err) {
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

  /** Ends the session on the server when reachable; the upload credential stays on the device. */
  async logout(): Promise<void> {
    await this.api.authed('DELETE', '/api/session/candidate', z.null()).catch(() => undefined);
    await this.forget();
  }

  private async forget(): Promise<void> {
    this.session = null;
    this.snapshot = null;
    this.api.setCredentials(null);
    await kvDelete('session:candidate');
    await kvDelete('snapshot:candidate');
  }

  private async saveTokens(tokens: { token: string; tokenExpiresAt: number; refreshToken: string }): Promise<void> {
    if (!this.session) return;
    this.session = { ...this.session, ...tokens };
    await kvSet('session:candidate', this.session);
  }
}
