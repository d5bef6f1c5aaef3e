import type { PeerSignal } from '../core/ws-schema.js';

export interface PeerLinkOptions {
  /** The offering side (the candidate's device: it sends the media). */
  initiator: boolean;
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** The platform's peer connection, replaceable in tests (simple-peer's `wrtc` option). */
  RTCPeerConnection?: typeof RTCPeerConnection;
}

export interface PeerLinkEvents {
  /** Hand this to the other side (through the signaling server). */
  signal: PeerSignal;
  connect: undefined;
  track: RTCTrackEvent;
  data: string | ArrayBuffer;
  state: RTCPeerConnectionState;
  close: undefined;
}
type Listener<K extends keyof PeerLinkEvents> = (value: PeerLinkEvents[K]) => void;

/**
 * One WebRTC link between a candidate device and one proctor: simple-peer's shape (it emits
 * `signal`, the app relays it; `signal()` takes the other side's) over the browser's own
 * RTCPeerConnection — no Node polyfills (README, Decisions). Only the initiator offers; its
 * transceivers are fixed up front, so nothing renegotiates but an ICE restart after a failure.
 */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  private channel: RTCDataChannel | null = null;
  private readonly listeners = new Map<keyof PeerLinkEvents, Set<Listener<keyof PeerLinkEvents>>>();
  private readonly early: RTCIceCandidateInit[] = [];
  private closed = false;

  constructor(private readonly opts: PeerLinkOptions) {
    const Pc = opts.RTCPeerConnection ?? RTCPeerConnection;
    this.pc = new Pc({ iceServers: opts.iceServers ?? [], ...(opts.iceTransportPolicy ? { iceTransportPolicy: opts.iceTransportPolicy } : {}) });
    this.pc.addEventListener('icecandidate', (e) => {
      if (e.candidate) this.emit('signal', { type: 'candidate', candidate: e.candidate.toJSON() as Extract<PeerSignal, { type: 'candidate' }>['candidate'] });
    });
    this.pc.addEventListener('track', (e) => this.emit('track', e));
    this.pc.addEventListener('connectionstatechange', () => this.onState());
    if (opts.initiator) {
      this.useChannel(this.pc.createDataChannel('invigil', { ordered: true }));
      // Only an ICE restart asks again (the transceivers never change).
      this.pc.addEventListener('negotiationneeded', () => void this.offer());
    } else {
      this.pc.addEventListener('datachannel', (e) => this.useChannel(e.channel));
    }
  }

  on<K extends keyof PeerLinkEvents>(event: K, listener: Listener<K>): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<keyof PeerLinkEvents>);
    return this;
  }

  get connected(): boolean {
    return this.pc.connectionState === 'connected' && this.channel?.readyState === 'open';
  }

  /** The other side's signal. */
  async signal(data: PeerSignal): Promise<void> {
    if (this.closed) return;
    if (data.type === 'candidate') {
      if (!this.pc.remoteDescription) this.early.push(data.candidate);
      else await this.pc.addIceCandidate(data.candidate).catch(() => undefined);
      return;
    }
    await this.pc.setRemoteDescription({ type: data.type, sdp: data.sdp });
    for (const c of this.early.splice(0)) await this.pc.addIceCandidate(c).catch(() => undefined);
    if (data.type === 'offer') {
      await this.pc.setLocalDescription();
      const answer = this.pc.localDescription;
      if (answer) this.emit('signal', { type: 'answer', sdp: answer.sdp });
    }
  }

  /** Sends on the data channel when open; false when it could not (or its buffer is full). */
  send(data: string | ArrayBuffer, maxBuffered = 256 * 1024): boolean {
    const ch = this.channel;
    if (ch?.readyState !== 'open' || ch.bufferedAmount > maxBuffered) return false;
    if (typeof data === 'string') ch.send(data);
    else ch.send(data);
    return true;
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel?.close();
    this.pc.close();
    this.emit('close', undefined);
    this.listeners.clear();
  }

  private async offer(): Promise<void> {
    if (this.closed || this.pc.signalingState !== 'stable') return;
    await this.pc.setLocalDescription();
    const offer = this.pc.localDescription;
    if (offer) this.emit('signal', { type: 'offer', sdp: offer.sdp });
  }

  private useChannel(ch: RTCDataChannel): void {
    this.channel = ch;
    ch.binaryType = 'arraybuffer';
    ch.addEventListener('open', () => this.emit('connect', undefined));
    ch.addEventListener('message', (e: MessageEvent<string | ArrayBuffer>) => this.emit('data', e.data));
  }

  private onState(): void {
    const state = this.pc.connectionState;
    this.emit('state', state);
    // A link that failed (a network change, a NAT rebinding) gets new candidates: the offerer restarts ICE.
    if (state === 'failed' && this.opts.initiator && !this.closed) this.pc.restartIce();
    if (state === 'closed') this.destroy();
  }

  private emit<K extends keyof PeerLinkEvents>(event: K, value: PeerLinkEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as Listener<K>)(value);
  }
}
