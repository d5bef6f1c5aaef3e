import { TimeReply } from '../core/api-schema.js';
import { addSample, carryAcrossReload, serverNow, type ClockSync } from '../core/clock.js';
import { kvGet, kvSet } from '../storage/kv.js';
import type { ApiClient } from './api-client.js';

export interface ClockPlatform {
  mono: () => number;
  wall: () => number;
}
const browserClock: ClockPlatform = { mono: () => performance.now(), wall: () => Date.now() };

/**
 * The server's time on this device (invariant 3): measured by round trips, kept across reloads,
 * carried on by the monotonic clock offline. A moved device clock changes nothing here.
 */
export class ServerClock {
  private sync: ClockSync | null = null;

  constructor(private readonly api: ApiClient, private readonly platform: ClockPlatform = browserClock) {}

  /** Loads the stored estimate (if any) so time is known at once, even offline. */
  async restore(): Promise<void> {
    const stored = await kvGet('clock');
    if (stored && !this.sync) this.sync = carryAcrossReload(stored, this.platform.wall(), this.platform.mono());
  }

  get known(): boolean {
    return this.sync !== null;
  }

  /** Server epoch ms now; the device clock only until a first sync exists. */
  now(): number {
    return this.sync ? serverNow(this.sync, this.platform.mono()) : this.platform.wall();
  }

  /**
   * Takes round trips and keeps the best; resolves false when offline. Three for a first estimate
   * (or one carried across a reload); one while this page holds its own — it drifts ≈ 4 ms in an
   * hour-long outage, and a worse sample does not replace it — so a link's return costs one.
   */
  async syncNow(samples = this.sync && !this.sync.carried ? 1 : 3): Promise<boolean> {
    let got = false;
    for (let i = 0; i < samples; i++) {
      const monoSent = this.platform.mono();
      try {
        const { now } = await this.api.request('GET', '/api/time', TimeReply);
        this.sync = addSample(this.sync, { monoSent, monoReceived: this.platform.mono(), wallReceived: this.platform.wall(), server: now });
        got = true;
      } catch {
        break;
      }
    }
    if (got && this.sync) await kvSet('clock', this.sync);
    return got;
  }
}
