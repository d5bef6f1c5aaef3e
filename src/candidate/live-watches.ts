import type { ServerMessage, WatchWish } from '../core/ws-schema.js';
import type { SignalingClient } from '../net/signaling-client.js';
import type { LiveSender } from './live-sender.js';

interface Watch { from: string; wish: WatchWish }

/** What a device can show live now: its recorded camera (and screen), or nothing. */
export interface LiveSource { camera: MediaStream; screen: MediaStream | null }

export interface LiveWatchesOptions {
  client: () => SignalingClient | null;
  source: () => LiveSource | null;
  ice: () => { iceServers: RTCIceServer[]; iceTransportPolicy: RTCIceTransportPolicy };
  changed: () => void;
}

/**
 * The proctors watching one device (laptop or evidence phone, R11): their `watch`/`unwatch`/
 * `signal` messages, and one LiveSender per watch while the device has something to show —
 * clones of the recorded tracks on their own peer link (the recording is never touched). A camera
 * opened anew (a switch, a resume) gets new links. LiveSender is loaded only when someone watches:
 * the peer code is not in the first download.
 */
export class LiveWatches {
  private readonly watches = new Map<string, Watch>();
  private readonly senders = new Map<string, { from: string; sender: LiveSender; camera: MediaStream }>();
  private syncing = false;

  constructor(private readonly o: LiveWatchesOptions) {}

  /** How many proctors see video now. */
  get watchedBy(): number {
    return [...this.senders.values()].filter((s) => s.sender.watching).length;
  }

  /** Takes the messages that are about live views; false for any other. */
  async handle(msg: ServerMessage): Promise<boolean> {
    switch (msg.type) {
      case 'watch':
        this.watches.set(msg.link, { from: msg.from, wish: msg.wish });
        this.senders.get(msg.link)?.sender.update(msg.wish);
        await this.sync();
        return true;
      case 'unwatch':
        this.watches.delete(msg.link);
        await this.sync();
        return true;
      case 'pong':
        for (const { sender } of this.senders.values()) sender.pong(msg.id);
        return true;
      case 'signal': {
        const s = this.senders.get(msg.link);
        if (s?.from === msg.from) await s.sender.signal(msg.data).catch(() => undefined);
        return true;
      }
      default:
        return false;
    }
  }

  /** One sender per watch while there is a source; none otherwise. */
  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const source = this.o.source();
      for (const [link, s] of this.senders) {
        if (source?.camera === s.camera && this.watches.has(link)) continue;
        s.sender.destroy();
        this.senders.delete(link);
      }
      const client = this.o.client();
      if (!source || !client) return;
      for (const [link, w] of this.watches) {
        if (this.senders.has(link)) continue;
        const { LiveSender } = await import('./live-sender.js');
        this.senders.set(link, {
          from: w.from, camera: source.camera,
          sender: new LiveSender({
            wish: { ...w.wish, screen: w.wish.screen && source.screen !== null }, camera: source.camera, screen: source.screen, ...this.o.ice(),
            signal: (data) => client.send({ type: 'signal', to: w.from, link, data }),
            ping: (id) => client.send({ type: 'ping', id }),
            changed: this.o.changed,
          }),
        });
      }
    } finally {
      this.syncing = false;
    }
  }

  /** Every live view ended (signed out, unbound). */
  clear(): void {
    for (const { sender } of this.senders.values()) sender.destroy();
    this.senders.clear();
    this.watches.clear();
  }
}
