import type { ServerMessage } from '../core/ws-schema.js';
import { SignalingClient } from '../net/signaling-client.js';
import { LiveWatches } from '../candidate/live-watches.js';
import type { PhoneSession } from './phone-session.js';

/**
 * The phone's live view to the proctors who ask for it (R11): one socket while bound, and while
 * the camera runs one live link per watching proctor (LiveWatches, as the laptop's: clones of the
 * recorded tracks, the same ladder). The recording is never touched by it.
 */
export class PhoneLive {
  private client: SignalingClient | null = null;
  private offRefresh: (() => void) | null = null;
  private readonly live: LiveWatches;

  constructor(private readonly session: PhoneSession, camera: () => MediaStream | null, private readonly ended: () => void) {
    this.live = new LiveWatches({
      client: () => this.client,
      source: () => {
        const stream = camera();
        return stream ? { camera: stream, screen: null } : null;
      },
      ice: () => ({ iceServers: session.me?.iceServers ?? [], iceTransportPolicy: session.me?.iceTransportPolicy ?? 'all' }),
      changed: () => undefined,
    });
  }

  /** Connected while bound (idempotent); the live links follow the camera. */
  sync(bound: boolean): void {
    if (bound && !this.client) this.start();
    if (!bound && this.client) this.stop();
    void this.live.sync();
  }

  private start(): void {
    const api = this.session.api;
    this.client = new SignalingClient({
      token: () => api.token,
      refresh: () => api.refresh(),
      onMessage: (msg: ServerMessage) => void this.live.handle(msg),
      onState: (state) => {
        if (state === 'ended') this.ended();
      },
    });
    this.offRefresh = this.session.store.onRefreshed(() => this.client?.reauthenticate());
    this.client.start();
  }

  stop(): void {
    this.offRefresh?.();
    this.client?.stop();
    this.client = null;
    this.live.clear();
  }
}
