import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { z } from 'zod';
import { BindingCodeReply, PhoneStatus } from '../core/evidence-phone.js';
import type { CandidateFlow } from './candidate-flow.js';

const POLL_MS = 3_000;
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
  private watching = false;

  constructor(private readonly host: ReactiveControllerHost, private readonly flow: CandidateFlow) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.watch(false);
  }

  /** Reads the phone's status every few seconds while `on` (the evidence step, the exam, the upload screen). */
  watch(on: boolean): void {
    if (on === this.watching) return;
    this.watching = on;
    clearInterval(this.timer);
    if (!on) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
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
