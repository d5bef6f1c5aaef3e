import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { localTime } from '../i18n/time-of-day.js';
import { errorText } from './error-text.js';


/**
 * A page's one action at a time: `busy` while it runs (buttons disabled), `error` the translated
 * sentence of its failure (what went wrong and what to do). A page passes its own words for the
 * errors only it raises; the rest are the server's and the network's, by `errorText`.
 */
export class ActionState implements ReactiveController {
  busy = false;
  error = '';

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Runs `fn` busy. A failure is shown as `describe(err)` (null: the general words) and returned. */
  async run(fn: () => Promise<void>, describe: (err: unknown) => string | null = () => null): Promise<unknown> {
    this.busy = true;
    this.error = '';
    this.host.requestUpdate();
    try {
      await fn();
      return null;
    } catch (err) {
      this.error = describe(err) ?? errorText(err, localTime);
      return err;
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  /** Shows a failure that happened outside `run` (a background read). */
  show(err: unknown): void {
    this.error = errorText(err, localTime);
    this.host.requestUpdate();
  }

  clear(): void {
    this.error = '';
    this.host.requestUpdate();
  }
}
