import { BindReply, PhoneMe, PhoneStatusReply, type PhoneReport } from '../core/evidence-phone.js';
import type { StoredPhone } from '../core/stored-schema.js';
import { ServerClock } from '../net/server-clock.js';
import { SessionStore } from '../net/session-store.js';
import { saveUploadCredential, type Owner } from '../storage/credentials.js';
import { deviceId, kvGet, kvSet } from '../storage/kv.js';

/**
 * The evidence phone's side of the server (R4): binding by a code, whose evidence it records and
 * until when, and its status reports. The binding, the phone's progress and the last reply are
 * kept on the phone, so a reload (or a reload with no network) continues where it was.
 */
export class PhoneSession {
  readonly store = new SessionStore('phone');
  readonly api = this.store.api;
  readonly clock = new ServerClock(this.api);
  record: StoredPhone | null = null;
  me: PhoneMe | null = null;

  get owner(): Owner | null {
    return this.record ? { examId: this.record.examId, candidateId: this.record.candidateId } : null;
  }

  async restore(): Promise<void> {
    await this.clock.restore();
    await this.store.restore();
    this.record = this.store.session ? ((await kvGet('phone')) ?? null) : null;
    const me = PhoneMe.safeParse(this.record?.me);
    this.me = me.success ? me.data : null;
  }

  /** Binds this phone with a code (typed or from the QR code's address). */
  async bind(code: string): Promise<void> {
    // The exam computer itself cannot be its own evidence camera: its upload credential for this
    // candidate would be replaced by the phone's (evidence only), and its own recordings refused.
    if (await kvGet('session:candidate')) throw new ExamDeviceError();
    const reply = await this.api.request('POST', '/api/phone/bind', BindReply, { code, deviceId: await deviceId() });
    await saveUploadCredential({ examId: reply.examId, candidateId: reply.candidateId, token: reply.uploadCredential, expiresAt: reply.uploadCredentialExpiresAt });
    await this.store.save({ role: 'phone', examId: reply.examId, token: reply.token, tokenExpiresAt: reply.tokenExpiresAt, refreshToken: reply.refreshToken });
    // The same candidate again (a lost session, a re-bind): the recording set goes on.
    const same = this.record && this.record.examId === reply.examId && this.record.candidateId === reply.candidateId;
    await this.patch(same && this.record ? { ...this.record, stoppedAt: null } : {
      examId: reply.examId, candidateId: reply.candidateId, recordingId: crypto.randomUUID(),
      facing: null, scan: null, fixedAt: null, stoppedAt: null, me: null,
    });
    await this.clock.syncNow();
    await this.load();
  }

  /** Reads whose evidence this is and the candidate's times; the stored reply stands offline. */
  async load(): Promise<boolean> {
    try {
      this.me = await this.api.authed('GET', '/api/phone/me', PhoneMe);
      if (this.record) await this.patch({ ...this.record, me: this.me });
      return true;
    } catch (err) {
      if (isEnded(err)) throw err;
      return false;
    }
  }

  /** Reports the phone's status; the reply brings the candidate's progress (kept for offline). */
  async report(report: PhoneReport): Promise<void> {
    const reply = await this.api.authed('POST', '/api/phone/status', PhoneStatusReply, report);
    if (!this.me) return;
    this.me = { ...this.me, ...reply };
    if (this.record) await this.patch({ ...this.record, me: this.me });
  }

  async patch(record: StoredPhone): Promise<void> {
    this.record = record;
    await kvSet('phone', record);
  }

  /** This phone no longer records (another phone was bound): back to the code screen. */
  async unbind(): Promise<void> {
    await this.store.forget();
  }
}

/** The server ended this phone's session: replaced by another phone, or the session is over. */
export function isEnded(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'phone_replaced' || code === 'session_ended';
}

/** The phone page was opened on the device the candidate sits the exam on. */
export class ExamDeviceError extends Error {
  readonly code = 'exam_device';
}
