import type { Rung } from '../core/ladder.js';
import { decodeLiveMessage, decodeThumbnail, encodeLiveMessage, sdpSession } from '../core/live-protocol.js';
import type { PeerSignal } from '../core/ws-schema.js';
import { PeerLink } from '../net/peer-link.js';

const POLL_MS = 2_000;
/** No new frame for this long: the video is not arriving. */
const STALE_VIDEO_MS = 5_000;
/** Thumbnails come every 4 s: three missed and it is "events only". */
const STALE_THUMB_MS = 12_500;

export interface LiveReceiverOptions {
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Relay to the candidate's device (through the signaling server). */
  signal: (data: PeerSignal) => void;
  changed: () => void;
}

/**
 * The proctor's end of one candidate's live link: the camera (with the microphone, muted until
 * the proctor unmutes), the screen when asked for, the latest thumbnail on the thumbnail rung,
 * and the rung the candidate's side chose.
 */
export class LiveReceiver {
  readonly peer: PeerLink;
  camera: MediaStream | null = null;
  /**
   * The camera's picture alone, for the grid's tiles: a `<video>` given a stream with sound runs
   * an audio renderer even muted — sixteen of them cost the proctor's page ≈ 13 points of a core
   * (measured) for sound only the detail can unmute. One stream per video track, made once.
   */
  picture: MediaStream | null = null;
  screen: MediaStream | null = null;
  thumbnail: string | null = null;
  thumbnailAt: number | null = null;
  /** The rung the candidate's side says it is on. */
  rung: Rung | null = null;
  /** When the camera last delivered a new frame (from the receiver's statistics). */
  private frameAt: number | null = null;
  private frames = 0;
  /** What the last poll found shown (staleness comes with time, between other news). */
  private polledShown: Rung | null = null;
  private readonly poll: ReturnType<typeof setInterval>;

  constructor(private readonly opts: LiveReceiverOptions) {
    this.peer = new PeerLink({ initiator: false, iceServers: opts.iceServers, ...(opts.iceTransportPolicy ? { iceTransportPolicy: opts.iceTransportPolicy } : {}) });
    this.peer.on('signal', opts.signal);
    this.peer.on('track', (e) => this.onTrack(e));
    this.peer.on('data', (d) => this.onData(d));
    this.peer.on('state', () => opts.changed());
    this.poll = setInterval(() => void this.checkFrames(), POLL_MS);
  }

  /**
   * What actually arrives, which a slow link may keep from the candidate's own word: video only
   * while frames come, a thumbnail only while fresh, else events only.
   */
  get shown(): Rung | null {
    if (this.rung === null) return null;
    const now = performance.now();
    if (!this.peer.connected) return 'events';
    const videoFresh = this.frameAt !== null && now - this.frameAt < STALE_VIDEO_MS;
    const thumbFresh = this.thumbnailAt !== null && now - this.thumbnailAt < STALE_THUMB_MS;
    if ((this.rung === 'video' || this.rung === 'high') && videoFresh) return this.rung;
    if (this.rung !== 'events' && thumbFresh) return 'thumbnail';
    return this.rung === 'video' || this.rung === 'high' ? (this.frameAt === null ? this.rung : 'events') : this.rung === 'thumbnail' && this.thumbnailAt === null ? 'thumbnail' : 'events';
  }

  private async checkFrames(): Promise<void> {
    const report = await this.peer.pc.getStats().catch(() => null);
    if (!report) return;
    let decoded = 0;
    for (const s of report.values() as IterableIterator<RTCStats & { kind?: string; framesDecoded?: number; trackIdentifier?: string }>) {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier === this.camera?.getVideoTracks()[0]?.id) decoded = s.framesDecoded ?? 0;
    }
    if (decoded > this.frames) this.frameAt = performance.now();
    this.frames = decoded;
    // Only news is told: sixteen tiles polled every 2 s would otherwise redraw the room 8 times a second.
    if (this.shown !== this.polledShown) {
      this.polledShown = this.shown;
      this.opts.changed();
    }
  }

  /** The candidate's side said its rung over the socket (it closes the link for events only). */
  told(rung: Rung): void {
    if (this.rung === rung) return;
    this.rung = rung;
    this.opts.changed();
  }

  get connected(): boolean {
    return this.peer.connected;
  }

  signal(data: PeerSignal): Promise<void> {
    return this.peer.signal(data);
  }

  /**
   * An offer from a new peer connection on the candidate's side (another SDP session: it closed
   * its link on the events rung and opens one as it climbs back), not a renegotiation of this
   * one (an ICE restart keeps the session): it needs a new receiver.
   */
  isNewSession(data: PeerSignal): boolean {
    const remote = this.peer.pc.remoteDescription?.sdp;
    return data.type === 'offer' && remote !== undefined && sdpSession(remote) !== sdpSession(data.sdp);
  }

  destroy(): void {
    clearInterval(this.poll);
    if (this.thumbnail) URL.revokeObjectURL(this.thumbnail);
    this.peer.destroy();
  }

  /** The candidate's transceivers come in a fixed order: camera video, microphone, screen. */
  private onTrack(e: RTCTrackEvent): void {
    const videos = this.peer.pc.getTransceivers().filter((t) => t.receiver.track.kind === 'video');
    if (e.track.kind === 'video' && videos.indexOf(e.transceiver) === 1) {
      this.screen = new MediaStream([e.track]);
    } else {
      this.camera ??= e.streams[0] ?? new MediaStream();
      if (!this.camera.getTracks().includes(e.track)) this.camera.addTrack(e.track);
      if (e.track.kind === 'video' && this.picture?.getVideoTracks()[0] !== e.track) this.picture = new MediaStream([e.track]);
    }
    this.opts.changed();
  }

  private onData(data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      const thumb = decodeThumbnail(data);
      if (!thumb) return;
      if (this.thumbnail) URL.revokeObjectURL(this.thumbnail);
      this.thumbnail = URL.createObjectURL(new Blob([thumb.jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
      this.thumbnailAt = performance.now();
      this.peer.send(encodeLiveMessage({ t: 'ack', seq: thumb.seq }));
    } else {
      const msg = decodeLiveMessage(data);
      if (msg?.t === 'rung') this.rung = msg.rung;
    }
    this.opts.changed();
  }
}
