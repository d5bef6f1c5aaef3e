import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { HEARTBEAT_MS, type LinkId, type ServerMessage, type WatchWish } from '../core/ws-schema.js';
import { SignalingClient } from '../net/signaling-client.js';
import type { CandidateFlow } from './candidate-flow.js';
import type { ChatController } from './chat-controller.js';
import type { RecordingController } from './recording-controller.js';
import type { UploadsController } from './uploads-controller.js';
import type { LiveSender } from './live-sender.js';
import type { z } from 'zod';

type Link = z.infer<typeof LinkId>;
interface Watch { from: string; wish: WatchWish }

export interface LiveDeps {
  flow: CandidateFlow;
  recording: RecordingController;
  uploads: UploadsController;
  chat: ChatController;
  /** The session ended elsewhere: read the server's state again. */
  ended: () => void;
}

/**
 * The candidate's link to the proctors (R11): one WebSocket while signed in — heartbeats with
 * the device's state every few seconds (presence), chat and the server's decisions pushed here —
 * and, from entry while recording, one live view per proctor who watches (LiveSender, loaded
 * only then: it is not part of the shell).
 */
export class LiveController implements ReactiveController {
  private client: SignalingClient | null = null;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly senders = new Map<Link, { from: string; sender: LiveSender }>();
  private readonly watches = new Map<Link, Watch>();
  private offRefresh: (() => void) | null = null;

  constructor(private readonly host: ReactiveControllerHost, private readonly d: LiveDeps) {
    host.addController(this);
  }

  /** A proctor is watching live (video flowing to at least one). */
  get watched(): boolean {
    return [...this.senders.values()].some((s) => s.sender.watching);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  /** Follows the page: connected while signed in; live views while recording. */
  hostUpdated(): void {
    const signedIn = this.d.flow.session.session !== null && this.d.flow.me !== null;
    if (signedIn && !this.client) this.start();
    if (!signedIn && this.client) this.stop();
    void this.syncSenders();
  }

  private start(): void {
    const api = this.d.flow.session.api;
    this.client = new SignalingClient({
      token: () => api.token,
      refresh: () => api.refresh(),
      onMessage: (msg) => void this.onMessage(msg),
      onState: (state) => {
        if (state === 'ended') this.d.ended();
        if (state === 'open') this.beat();
        this.host.requestUpdate();
      },
    });
    this.offRefresh = this.d.flow.session.store.onRefreshed(() => this.client?.reauthenticate());
    this.client.start();
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  private stop(): void {
    clearInterval(this.heartbeat);
    this.offRefresh?.();
    this.client?.stop();
    this.client = null;
    for (const { sender } of this.senders.values()) sender.destroy();
    this.senders.clear();
    this.watches.clear();
  }

  private beat(): void {
    const rec = this.d.recording;
    this.client?.send({
      type: 'heartbeat',
      state: {
        step: this.d.flow.step(),
        recording: rec.active,
        recordings: this.d.uploads.recordings.filter((r) => r.state !== 'verified').slice(0, 8).map((r) => ({ id: r.id, kind: r.kind, bytes: r.bytes })),
        watchedBy: [...this.senders.values()].filter((s) => s.sender.watching).length,
      },
    });
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
      case 'chat':
        return this.d.chat.refresh();
      case 'progress':
        await this.d.flow.session.patchMe({ progress: msg.progress });
        this.host.requestUpdate();
        return;
      default:
        return;
    }
  }

  private syncing = false;

  /** One sender per watch while recording; none otherwise. */
  private async syncSenders(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const rec = this.d.recording;
      const camera = rec.active ? rec.cameraStream : null;
      for (const [link, s] of this.senders) {
        if (camera && this.watches.has(link)) continue;
        s.sender.destroy();
        this.senders.delete(link);
      }
      if (!camera || !this.client) return;
      for (const [link, w] of this.watches) {
        if (this.senders.has(link)) continue;
        // Loaded only now: the peer code is not in the candidate's first download.
        const { LiveSender } = await import('./live-sender.js');
        const client = this.client;
        const sender = new LiveSender({
          wish: w.wish, camera, screen: rec.screenStream, iceServers: this.d.flow.me?.iceServers ?? [],
          iceTransportPolicy: this.d.flow.me?.iceTransportPolicy ?? 'all',
          signal: (data) => client.send({ type: 'signal', to: w.from, link, data }),
          changed: () => this.host.requestUpdate(),
        });
        this.senders.set(link, { from: w.from, sender });
      }
    } finally {
      this.syncing = false;
    }
  }
}
