import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { z } from 'zod';
import { BindingCodeReply, PhoneStatus } from '../core/evidence-phone.js';
import type { CandidateFlow } from './candidate-flow.js';

/** While the candidate binds the phone (the evidence step), its status is read this often… */
export const BINDING_POLL_MS = 3_000;
/** …and during the exam and on the upload screen this often (it counts as online for 30 s after each word from the phone). */
export const WATCH_POLL_MS = 10_000;
const PhoneReply = z.object({ phone: PhoneStatus.nullable() });

/**
 * The laptop's side of the evidence phone (R4): a one-time binding code on demand (the QR code
 * holds it) and the bound phone's status, read every few seconds while a screen shows it.
 */
export class PhoneLinkController implements ReactiveController {
  code: BindingCodeReply | null = null;
  phone: PhoneStatus | null = null;
  /** The code could not be fetched (offline): the screen says so. */
  failed = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The polling interval now (0: not watching). */
  private every = 0;

  constructor(private readonly host: ReactiveControllerHost, private readonly flow: CandidateFlow) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.watch(0);
  }

  /** Reads the phone's status every `everyMs` (0: stops) while a screen shows it. */
  watch(everyMs: number): void {
    if (everyMs === this.every) return;
    const started = this.every > 0;
    this.every = everyMs;
    clearInterval(this.timer);
    if (everyMs === 0) return;
    if (!started) void this.poll();
    this.timer = setInterval(() => void this.poll(), everyMs);
  }

  /** A new code (the previous unused one stops working). */
  async newCode(): Promise<void> {
    try {
      this.code = await this.flow.session.api.authed('POST', '/api/candidate/binding-code', BindingCodeReply);
      this.failed = false;
    } catch {
      this.failed = true;
    }
    this.host.requestUpdate();
  }

  private async poll(): Promise<void> {
    if (!this.flow.me) return;
    try {
      this.phone = (await this.flow.session.api.authed('GET', '/api/candidate/phone', PhoneReply)).phone;
    } catch {
      // Offline: the last status stays on screen with its time.
    }
    this.host.requestUpdate();
  }
}
