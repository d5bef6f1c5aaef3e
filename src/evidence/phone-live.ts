import type { ServerMessage, WatchWish } from '../core/ws-schema.js';
import { SignalingClient } from '../net/signaling-client.js';
import type { LiveSender } from '../candidate/live-sender.js';
import type { PhoneSession } from './phone-session.js';

interface Watch { from: string; wish: WatchWish }

/**
 * The phone's live view to the proctors who ask for it (R11): one socket while bound, and while
 * the camera runs one LiveSender per watching proctor — clones of the recorded tracks on their
 * own peer link, with the laptop's ladder. The recording is never touched by it.
 */
export class PhoneLive {
  private client: SignalingClient | null = null;
  private readonly watches = new Map<string, Watch>();
  private readonly senders = new Map<string, { from: string; sender: LiveSender; camera: MediaStream }>();
  private offRefresh: (() => void) | null = null;
  private syncing = false;

  constructor(private readonly session: PhoneSession, private readonly camera: () => MediaStream | null, private readonly ended: () => void) {}

  /** Connected while bound (idempotent); the senders follow the camera. */
  sync(bound: boolean): void {
    if (bound && !this.client) this.start();
    if (!bound && this.client) this.stop();
    void this.syncSenders();
  }

  private start(): void {
    const api = this.session.api;
    this.client = new SignalingClient({
      token: () => api.token,
      refresh: () => api.refresh(),
      onMessage: (msg) => void this.onMessage(msg),
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
    for (const { sender } of this.senders.values()) sender.destroy();
    this.senders.clear();
    this.watches.clear();
  }

  private async onMessage(msg: ServerMessage): Promise<void> {
    switch (msg.type) {
      case 'watch':
        this.watches.set(msg.link, { from: msg.from, wish: msg.wish });
        this.senders.get(msg.link)?.sender.update(msg.wish);
        return this.syncSenders();
      case 'unwatch':
        this.watches.delete(msg.link);
        return this.syncSenders();
      case 'signal': {
        const s = this.senders.get(msg.link);
        if (s?.from === msg.from) await s.sender.signal(msg.data).catch(() => undefined);
        return;
      }
      default:
        return;
    }
  }

  private async syncSenders(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const camera = this.camera();
      for (const [link, s] of this.senders) {
        // A camera opened again (after a reload of the track, a resume) needs a new link.
        if (camera === s.camera && this.watches.has(link)) continue;
        s.sender.destroy();
        this.senders.delete(link);
      }
      const client = this.client;
      if (!camera || !client) return;
      for (const [link, w] of this.watches) {
        if (this.senders.has(link)) continue;
        // Loaded only when a proctor watches: the peer code is not in the phone's first download.
        const { LiveSender } = await import('../candidate/live-sender.js');
        const me = this.session.me;
        this.senders.set(link, {
          from: w.from, camera,
          sender: new LiveSender({
            wish: { ...w.wish, screen: false }, camera, screen: null, iceServers: me?.iceServers ?? [], iceTransportPolicy: me?.iceTransportPolicy ?? 'all',
            signal: (data) => client.send({ type: 'signal', to: w.from, link, data }),
            changed: () => undefined,
          }),
        });
      }
    } finally {
      this.syncing = false;
    }
  }
}
