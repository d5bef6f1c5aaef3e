import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { beatWith, type SentState } from '../core/heartbeat.js';
import { HEARTBEAT_MS, type ServerMessage } from '../core/ws-schema.js';
import { SignalingClient } from '../net/signaling-client.js';
import type { CandidateFlow } from './candidate-flow.js';
import type { ChatController } from './chat-controller.js';
import type { RecordingController } from './recording-controller.js';
import type { UploadsController } from './uploads-controller.js';
import { LiveWatches } from './live-watches.js';

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
  private offRefresh: (() => void) | null = null;
  private readonly live: LiveWatches;
  /** The state the server last heard on this socket (null: send it with the next beat). */
  private sent: SentState | null = null;

  constructor(private readonly host: ReactiveControllerHost, private readonly d: LiveDeps) {
    host.addController(this);
    this.live = new LiveWatches({
      client: () => this.client,
      source: () => (d.recording.active && d.recording.cameraStream ? { camera: d.recording.cameraStream, screen: d.recording.screenStream } : null),
      ice: () => ({ iceServers: d.flow.me?.iceServers ?? [], iceTransportPolicy: d.flow.me?.iceTransportPolicy ?? 'all' }),
      changed: () => this.host.requestUpdate(),
    });
  }

  /** A proctor is watching live (video flowing to at least one). */
  get watched(): boolean {
    return this.live.watchedBy > 0;
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
    void this.live.sync();
  }

  private start(): void {
    const api = this.d.flow.session.api;
    this.client = new SignalingClient({
      token: () => api.token,
      refresh: () => api.refresh(),
      onMessage: (msg) => void this.onMessage(msg),
      onState: (state) => {
        this.d.chat.pushed = state === 'open';
        if (state === 'ended') this.d.ended();
        if (state === 'open') {
          this.beat();
          // Pushes carry news only: a reply sent while this socket was down is read now.
          void this.d.chat.refresh();
        }
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
    this.d.chat.pushed = false;
    this.live.clear();
  }

  private beat(): void {
    const rec = this.d.recording;
    const beat = beatWith({
      step: this.d.flow.step(),
      recording: rec.active,
      recordings: this.d.uploads.recordings.filter((r) => r.state !== 'verified').slice(0, 8).map((r) => ({ id: r.id, kind: r.kind, bytes: r.bytes })),
      watchedBy: this.live.watchedBy,
    }, this.sent, Date.now());
    if (this.client?.send({ type: 'heartbeat', ...(beat.state ? { state: beat.state } : {}) })) this.sent = beat.sent;
  }

  private async onMessage(msg: ServerMessage): Promise<void> {
    // A new socket (or a restarted server) knows nothing yet: the next beat carries the state.
    if (msg.type === 'ready') this.sent = null;
    if (await this.live.handle(msg)) return;
    switch (msg.type) {
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
}
