import { QuestionKey, SealedQuestions, type QuestionList } from '../core/api-schema.js';
import type { ApiClient } from '../net/api-client.js';
import { ApiRequestError } from '../net/api-error.js';
import { openQuestions } from '../net/open-questions.js';
import { kvGet, kvSet } from '../storage/kv.js';
import type { QuestionState } from './step-exam.js';

/**
 * The questions on this device: the sealed package fetched at entry and kept (a reload or a
 * network loss does not need it again), the key fetched from the start time (a few dozen bytes),
 * or already in the package for `sealed-at-entry` exams — then revealed only at the server-time
 * start. Nothing here decides when questions may be seen except the server's clock.
 */
export class QuestionSource {
  list: QuestionList | null = null;
  state: QuestionState = 'loading';

  constructor(private readonly api: ApiClient, readonly examId: string) {}

  /** The stored package (and key) for this exam, if any. */
  private async stored() {
    const q = await kvGet('questions');
    return q?.sealed.examId === this.examId ? q : null;
  }

  /** Fetches and keeps the package (at entry, and again only if it is missing or does not open). */
  async fetchPackage(): Promise<void> {
    const sealed = await this.api.authed('GET', '/api/candidate/questions', SealedQuestions);
    await kvSet('questions', { sealed, key: sealed.key });
  }

  /**
   * Makes progress towards showing the questions at server time `now`; safe to call often.
   * Returns the questions once they may be shown.
   */
  async update(now: number): Promise<QuestionList | null> {
    if (this.list) return this.list;
    try {
      let stored = await this.stored();
      if (!stored) {
        await this.fetchPackage();
        stored = await this.stored();
      }
      if (!stored || now < stored.sealed.startAt) {
        this.state = 'waiting';
        return null;
      }
      if (!stored.key) {
        const { key } = await this.api.authed('GET', '/api/candidate/questions/key', QuestionKey);
        stored = { ...stored, key };
        await kvSet('questions', stored);
      }
      try {
        this.list = await openQuestions(crypto.subtle, stored.sealed, stored.key ?? '');
      } catch {
        // The exam was re-imported since entry: the key fits a newer package. Fetch it again.
        await this.fetchPackage();
        const fresh = await this.stored();
        const { key } = await this.api.authed('GET', '/api/candidate/questions/key', QuestionKey);
        this.list = await openQuestions(crypto.subtle, fresh?.sealed ?? stored.sealed, key);
      }
      this.state = 'ready';
      return this.list;
    } catch (err) {
      this.state = err instanceof ApiRequestError && err.isNetwork ? 'offline' : err instanceof ApiRequestError && err.code === 'too_early' ? 'waiting' : 'error';
      return null;
    }
  }
}
