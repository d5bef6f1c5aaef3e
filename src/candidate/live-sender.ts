import { RUNG_VIDEO, THUMBNAIL, startLadder, stepLadder, withTop, type LadderState, type LinkSample, type Rung } from '../core/ladder.js';
import type { SignalData, WatchWish } from '../core/ws-schema.js';
import { jpegFrame } from '../media/jpeg-frame.js';
import { PeerLink } from '../net/peer-link.js';
import { linkSample, type StatsMark } from '../net/link-stats.js';
import { THUMB_TAG, encodeLiveMessage, decodeLiveMessage } from '../core/live-protocol.js';
import { PROBE_EVERY_MS, SocketProbe } from '../core/socket-probe.js';

const SAMPLE_MS = 2_000;
const AUDIO_BPS = 24_000;
/** A new link is judged once it connects (ICE through a relay takes a few seconds), or after this long. */
const CONNECT_GRACE_MS = 10_000;
/** The rung's last word to the proctor goes out before the link closes. */
const CLOSE_AFTER_MS = 500;
/** Ping ids, page-wide: every sender sees every pong and takes only its own. */
let pingIds = 0;

export interface LiveSenderOptions {
  wish: WatchWish;
  camera: MediaStream;
  screen: MediaStream | null;
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Relay to the proctor (through the signaling server). */
  signal: (data: SignalData) => void;
  /** A ping over the page's socket (the events rung's probe); false when the socket is not open. */
  ping: (id: number) => boolean;
  changed: () => void;
}

/**
 * The candidate's live view to one proctor: clones of the recorded camera, microphone and
 * (on request) screen tracks on their own peer link with their own sender limits — the
 * recording is never touched. The ladder (src/core/ladder.ts) moves the link between video,
 * thumbnails over the data channel and events only, from the sender's own statistics. On the
 * events rung the peer link is closed (status, flags and chat go over the server anyway) and
 * the socket's pings judge the link (src/core/socket-probe.ts); a climb opens a new peer link.
 */
export class LiveSender {
  /** The peer link now; none on the events rung. */
  peer: PeerLink | null = null;
  private senders: { camera: RTCRtpSender; audio: RTCRtpSender; screen: RTCRtpSender } | null = null;
  private openedAt = 0;
  private readonly clones: MediaStreamTrack[] = [];
  private readonly video: MediaStreamTrack | null;
  private readonly mic: MediaStreamTrack | null;
  private screenClone: MediaStreamTrack | null = null;
  private readonly live: MediaStream;
  private ladder: LadderState;
  private mark: StatsMark | null = null;
  private sampler: ReturnType<typeof setInterval>;
  private thumbs: ReturnType<typeof setInterval> | undefined;
  private probing: ReturnType<typeof setInterval> | undefined;
  private readonly probe = new SocketProbe();
  private readonly preview = document.createElement('video');
  /** Thumbnails sent and not yet acknowledged: sequence → send time. */
  private readonly unacked = new Map<number, number>();
  private thumbSeq = 0;
  private lastAckRtt: number | null = null;
  private wish: WatchWish;

  constructor(private readonly opts: LiveSenderOptions) {
    this.wish = opts.wish;
    this.video = this.clone(opts.camera.getVideoTracks()[0]);
    this.mic = this.clone(opts.camera.getAudioTracks()[0]);
    this.live = new MediaStream([this.video, this.mic].filter((t): t is MediaStreamTrack => t !== null));
    this.preview.muted = true;
    this.preview.srcObject = this.live;
    void this.preview.play().catch(() => undefined);
    this.ladder = startLadder(performance.now(), this.top());
    this.open();
    this.sampler = setInterval(() => void this.sample(), SAMPLE_MS);
    void this.apply();
  }

  get rung(): Rung {
    return this.ladder.rung;
  }

  /** Connected and showing moving video (the candidate's "a proctor is watching live" sign). */
  get watching(): boolean {
    return this.peer?.connected === true && (this.rung === 'video' || this.rung === 'high');
  }

  async signal(data: SignalData): Promise<void> {
    // A rung is only the candidate's own word to the proctor: none comes this way.
    if (data.type !== 'rung') await this.peer?.signal(data);
  }

  /** The server answered a ping (any sender's: each takes its own). */
  pong(id: number): void {
    this.probe.answered(id, performance.now());
  }

  /** The proctor changed what they want (a better view, the screen). */
  update(wish: WatchWish): void {
    this.wish = wish;
    this.ladder = withTop(this.ladder, this.top(), performance.now());
    void this.apply();
  }

  destroy(): void {
    clearInterval(this.sampler);
    clearInterval(this.thumbs);
    clearInterval(this.probing);
    this.preview.srcObject = null;
    this.peer?.destroy();
    this.peer = null;
    for (const t of this.clones) t.stop();
  }

  private top(): Rung {
    return this.wish.quality === 'high' ? 'high' : 'video';
  }

  private clone(track: MediaStreamTrack | undefined): MediaStreamTrack | null {
    if (!track) return null;
    const c = track.clone();
    this.clones.push(c);
    return c;
  }

  /** A new peer link (the first, or after the events rung): camera, microphone, screen, in that order. */
  private open(): PeerLink {
    const peer = new PeerLink({ initiator: true, iceServers: this.opts.iceServers, ...(this.opts.iceTransportPolicy ? { iceTransportPolicy: this.opts.iceTransportPolicy } : {}) });
    this.senders = {
      camera: peer.pc.addTransceiver(this.video ?? 'video', { direction: 'sendonly', streams: [this.live] }).sender,
      audio: peer.pc.addTransceiver(this.mic ?? 'audio', { direction: 'sendonly', streams: [this.live] }).sender,
      screen: peer.pc.addTransceiver(this.screenClone ?? 'video', { direction: 'sendonly' }).sender,
    };
    peer.on('signal', this.opts.signal);
    peer.on('data', (d) => this.onData(d));
    peer.on('connect', () => void this.apply());
    peer.on('state', () => this.opts.changed());
    this.peer = peer;
    this.openedAt = performance.now();
    this.unacked.clear();
    this.lastAckRtt = null;
    return peer;
  }

  private async sample(): Promise<void> {
    const now = performance.now();
    const peer = this.peer;
    let samples: LinkSample[];
    if (!peer) {
      samples = this.probe.take(now);
    } else {
      if (peer.pc.connectionState === 'closed') return;
      if (!peer.connected && now - this.openedAt < CONNECT_GRACE_MS) return;
      const flowing = this.rung === 'video' || this.rung === 'high';
      const { sample, mark } = linkSample(await peer.pc.getStats(), this.mark, now, peer.pc.connectionState === 'connected', flowing);
      if (peer !== this.peer) return;
      this.mark = mark;
      // On the thumbnail rung no media flows: the thumbnails' own acknowledgements tell loss and delay.
      samples = [this.rung === 'thumbnail' ? this.thumbnailSample(sample) : sample];
    }
    const before = this.rung;
    for (const s of samples) this.ladder = stepLadder(this.ladder, s, this.top());
    if (this.rung !== before) await this.apply();
  }

  private thumbnailSample(s: LinkSample): LinkSample {
    const now = performance.now();
    const lost = [...this.unacked.values()].filter((at) => now - at > 5_000).length;
    for (const [seq, at] of this.unacked) if (now - at > 5_000) this.unacked.delete(seq);
    // The congestion controller's estimate goes stale while no video flows: the acknowledgements decide.
    return { ...s, lossPct: lost > 0 ? 100 : Math.max(0, s.lossPct ?? 0), rttMs: this.lastAckRtt ?? s.rttMs, availableKbps: null };
  }

  /** Events only: the proctor is told, then the link closes. */
  private closeLink(): void {
    const peer = this.peer;
    this.peer = null;
    this.senders = null;
    if (!peer) return;
    peer.send(encodeLiveMessage({ t: 'rung', rung: 'events' }));
    // The socket too: on a congested link the data channel's word waits behind what is queued and
    // dies with the link (the proctor's tile then knew no rung at all — seen in the ladder e2e).
    this.opts.signal({ type: 'rung', rung: 'events' });
    setTimeout(() => peer.destroy(), CLOSE_AFTER_MS);
    this.probe.clear();
  }

  /** On the events rung: a ping over the socket now and every few seconds (each one a sample). */
  private startProbe(): void {
    const ping = () => {
      const id = ++pingIds;
      this.probe.sent(id, performance.now(), this.opts.ping(id));
    };
    ping();
    this.probing = setInterval(ping, PROBE_EVERY_MS);
  }

  /** Sender limits for the rung: the video's bitrate, size and frame rate; off below video; no link on events. */
  private async apply(): Promise<void> {
    const rung = this.rung;
    clearInterval(this.thumbs);
    clearInterval(this.probing);
    // The next sample starts afresh: counters from another rung say nothing about this one.
    this.mark = null;
    if (rung === 'events') {
      this.closeLink();
      this.startProbe();
      this.opts.changed();
      return;
    }
    const peer = this.peer ?? this.open();
    const senders = this.senders;
    if (!senders) return;
    const v = rung === 'high' || rung === 'video' ? RUNG_VIDEO[rung] : null;
    const height = this.opts.camera.getVideoTracks()[0]?.getSettings().height ?? 360;
    await setEncoding(senders.camera, v ? { active: true, maxBitrate: v.maxBitrate, maxFramerate: v.maxFramerate, scaleResolutionDownBy: Math.max(1, height / v.height) } : { active: false });
    // Sound only to the proctor who opened this candidate (the only place it can be unmuted), and
    // only with video: 50 packets a second per tile for sound nobody hears would cost the grid's
    // link and CPU, and the thumbnail rung is for links that cannot carry it either.
    const sound = v !== null && this.wish.quality === 'high';
    await setEncoding(senders.audio, { active: sound, maxBitrate: AUDIO_BPS });
    const screen = this.wish.screen && v ? this.opts.screen?.getVideoTracks()[0] : undefined;
    if (screen && !senders.screen.track) await senders.screen.replaceTrack((this.screenClone ??= this.clone(screen)));
    await setEncoding(senders.screen, screen ? { active: true, maxBitrate: v?.maxBitrate ?? 150_000, maxFramerate: 5 } : { active: false });
    if (peer !== this.peer || rung !== this.rung) return;
    if (rung === 'thumbnail') {
      void this.sendThumbnail();
      this.thumbs = setInterval(() => void this.sendThumbnail(), THUMBNAIL.everyMs);
    }
    peer.send(encodeLiveMessage({ t: 'rung', rung }));
    this.opts.changed();
  }

  private async sendThumbnail(): Promise<void> {
    const jpeg = await jpegFrame(this.preview, THUMBNAIL.width, THUMBNAIL.quality);
    if (!jpeg) return;
    const seq = ++this.thumbSeq;
    const head = new Uint8Array([THUMB_TAG, (seq >> 8) & 255, seq & 255]);
    const body = new Uint8Array(await jpeg.arrayBuffer());
    const msg = new Uint8Array(head.length + body.length);
    msg.set(head);
    msg.set(body, head.length);
    if (this.peer?.send(msg.buffer, 64 * 1024)) this.unacked.set(seq, performance.now());
  }

  private onData(data: string | ArrayBuffer): void {
    const msg = decodeLiveMessage(data);
    if (msg?.t !== 'ack') return;
    const sent = this.unacked.get(msg.seq);
    if (sent === undefined) return;
    this.unacked.delete(msg.seq);
    this.lastAckRtt = performance.now() - sent;
  }
}

async function setEncoding(sender: RTCRtpSender, encoding: RTCRtpEncodingParameters): Promise<void> {
  const params = sender.getParameters();
  if (!params.encodings.length) return;
  params.encodings = params.encodings.map((e) => ({ ...e, ...encoding }));
  await sender.setParameters(params).catch(() => undefined);
}
