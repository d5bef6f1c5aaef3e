import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { z } from 'zod';
import { SessionTokens } from '../core/api-schema.js';
import { ApiRequestError } from '../net/api-error.js';
import { SessionStore } from '../net/session-store.js';
import { deviceId } from '../storage/kv.js';
import { t } from '../i18n/i18n.js';
import { localTime } from '../i18n/time-of-day.js';
import { errorText } from '../ui/error-text.js';
import type { ProctorLoginSubmit } from './proctor-login.js';

/**
 * A proctor's (or reviewer's) session on this device, shared by the live console and review:
 * restored on connect, signed in by the login form, signed out; the host re-renders on each change.
 */
export class ProctorSession implements ReactiveController {
  readonly store = new SessionStore('proctor');
  signedIn = false;
  restoring = true;
  error = '';
  busy = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.store.restore().then((s) => {
      this.signedIn = s !== null;
      this.restoring = false;
      this.host.requestUpdate();
    });
  }

  async login(e: CustomEvent<ProctorLoginSubmit>): Promise<void> {
    this.busy = true;
    this.error = '';
    this.host.requestUpdate();
    try {
      const tokens = await this.store.api.request('POST', '/api/session/proctor', SessionTokens, { ...e.detail, deviceId: await deviceId() });
      await this.store.save({ role: 'proctor', examId: e.detail.examId, ...tokens });
      this.signedIn = true;
    } catch (err) {
      this.error = err instanceof ApiRequestError && err.code === 'invalid_credentials'
        ? t('error.invalid_credentials.proctor') : errorText(err, localTime);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  async logout(): Promise<void> {
    await this.store.api.authed('DELETE', '/api/session/proctor', z.null()).catch(() => undefined);
    await this.store.forget();
    this.signedIn = false;
    this.host.requestUpdate();
  }
}
