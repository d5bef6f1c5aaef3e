import type { DocumentKind } from '../core/api-schema.js';
import { Acceptances } from '../core/api-schema.js';
import { flowStep, identityPending, NO_ACKS, type FlowFacts, type LocalAcks, type Step } from '../core/flow.js';
import type { StoredFlow } from '../core/stored-schema.js';
import type { DeviceIds } from '../media/exam-recorder.js';
import type { Owner } from '../storage/credentials.js';
import { kvGet, kvSet } from '../storage/kv.js';
import { CandidateSession } from './candidate-session.js';
import { EventLog } from './event-log.js';
import { IdentityCheck } from './identity-check.js';

/**
 * What decides the candidate's step, without UI: the server's state (session snapshot) and what
 * this device keeps per exam (local acknowledgements, an early end, chosen devices). The step
 * shown is `flowStep` of these facts (src/core/flow.ts); the controllers beside it record,
 * upload, chat and fetch questions.
 */
export class CandidateFlow {
  readonly session = new CandidateSession();
  readonly identity = new IdentityCheck(this.session);
  readonly events = new EventLog(() => this.owner(), () => this.now());
  private record: StoredFlow | null = null;
  checkPassed = false;

  get me() {
    return this.session.snapshot?.me ?? null;
  }

  owner(): Owner | null {
    const me = this.me;
    return me ? { examId: me.exam.id, candidateId: me.candidate.id } : null;
  }

  now(): number {
    return this.session.clock.now();
  }

  async restore(): Promise<void> {
    await this.session.restore();
    this.checkPassed = (await kvGet('systemCheck')) !== undefined;
    await this.loadFlow();
  }

  /** The device's flow record for the logged-in candidate (a new one for another exam/candidate). */
  async loadFlow(): Promise<void> {
    const me = this.me;
    if (!me) return;
    const stored = await kvGet('flow');
    this.record = stored && stored.examId === me.exam.id && stored.candidateId === me.candidate.id
      ? stored : { examId: me.exam.id, candidateId: me.candidate.id, acks: { ...NO_ACKS, check: this.checkPassed }, localEndedAt: null };
  }

  facts(): FlowFacts {
    const me = this.me;
    const acks = { ...NO_ACKS, ...this.record?.acks, check: this.checkPassed || (this.record?.acks.check ?? false) };
    return {
      loggedIn: me !== null,
      identityPending: me !== null && identityPending(me.face.match, acks.identity),
      acks,
      accepted: me?.accepted ?? { procedure: null, pledge: null, notice: null },
      hasLotteryNumber: me?.lottery != null,
      progress: me?.progress ?? { enteredAt: null, endedAt: null },
      localEndedAt: this.record?.localEndedAt ?? null,
    };
  }

  step(): Step {
    const me = this.me;
    if (!me) return this.checkPassed ? 'login' : 'check';
    return flowStep(this.facts(), me.exam.times, this.now());
  }

  async passCheck(): Promise<void> {
    this.checkPassed = true;
    await kvSet('systemCheck', { passedAt: this.now() });
  }

  async ack(key: keyof LocalAcks): Promise<void> {
    await this.patch({ acks: { ...NO_ACKS, ...this.record?.acks, [key]: true } });
  }

  /** R2 face match: the consent answer; with consent and the login capture here, the comparison at once. */
  async answerIdentity(given: boolean): Promise<void> {
    await this.identity.answer(given);
    if (given && this.identity.capture) await this.identity.compare(this.identity.capture);
  }

  async accept(document: DocumentKind): Promise<void> {
    const accepted = await this.session.api.authed('POST', '/api/candidate/accept', Acceptances, { document });
    await this.session.patchMe({ accepted });
  }

  /** Devices chosen at R8, used again after a reload. */
  devices(): DeviceIds {
    return { ...(this.record?.camera ? { camera: this.record.camera } : {}), ...(this.record?.microphone ? { microphone: this.record.microphone } : {}) };
  }

  async saveDevices(change: DeviceIds): Promise<void> {
    await this.patch(change);
  }

  /**
   * 【结束考试】【确认】: counts on this device at once; the server hears of it when it can. The
   * event is in the outbox before the end is: any render after the patch shows the upload step,
   * whose 【退出登录】 asks the outbox whether the server may be told of the logout yet.
   */
  async endEarly(): Promise<void> {
    const at = this.now();
    await this.events.log('ended-early', undefined, at);
    await this.patch({ localEndedAt: at });
  }

  private async patch(change: Partial<StoredFlow>): Promise<void> {
    if (!this.record) return;
    this.record = { ...this.record, ...change };
    await kvSet('flow', this.record);
  }
}
