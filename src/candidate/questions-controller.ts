import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { QuestionList } from '../core/api-schema.js';
import { examStage } from '../core/flow.js';
import type { CandidateFlow } from './candidate-flow.js';
import { QuestionSource } from './question-source.js';
import type { QuestionState } from './step-exam.js';
import { personalTimes } from '../core/timeline.js';

const RETRY_MS = 3_000;

/**
 * The questions of the signed-in candidate's exam: the package kept from entry, revealed at the
 * server-time start; from then on tried every 3 s until they show (the key may need the network).
 */
export class QuestionsController implements ReactiveController {
  list: QuestionList | null = null;
  private source: QuestionSource | null = null;
  private lastTry = -Infinity;
  private loading: Promise<void> | null = null;

  constructor(private readonly host: ReactiveControllerHost, private readonly flow: CandidateFlow) {
    host.addController(this);
  }

  hostConnected(): void {}

  get state(): QuestionState {
    return this.source?.state ?? 'loading';
  }

  hostUpdated(): void {
    const me = this.flow.me;
    if (!me || this.list || this.flow.step() !== 'exam') return;
    if (examStage(personalTimes(me.exam.times, me.progress), this.flow.now()).stage === 'waiting' || performance.now() - this.lastTry < RETRY_MS) return;
    void this.load();
  }

  /** 【刷新题目】, and the retries (one at a time). */
  load(): Promise<void> {
    const source = this.sourceFor();
    if (!source) return Promise.resolve();
    this.loading ??= (async () => {
      this.lastTry = performance.now();
      this.list = await source.update(this.flow.now());
      this.host.requestUpdate();
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** At entry, while the link is known to work: the sealed package, kept on the device. */
  async fetchPackage(): Promise<void> {
    await this.sourceFor()?.fetchPackage().catch(() => undefined);
  }

  private sourceFor(): QuestionSource | null {
    const me = this.flow.me;
    if (!me) return null;
    if (this.source?.examId !== me.exam.id) {
      this.source = new QuestionSource(this.flow.session.api, me.exam.id);
      this.list = null;
    }
    return this.source;
  }
}
