import { RUNG_VIDEO, THUMBNAIL, startLadder, stepLadder, type LadderState, type LinkSample, type Rung } from '../core/ladder.js';
import type { SignalData, WatchWish } from '../core/ws-schema.js';
import { jpegFrame } from '../media/jpeg-frame.js';
import { PeerLink } from '../net/peer-link.js';
import { linkSample, type StatsMark } from '../net/link-stats.js';
import { THUMB_TAG, encodeLiveMessage, decodeLiveMessage } from '../core/live-protocol.js';

const SAMPLE_MS = 2_000;
const AUDIO_BPS = 24_000;

export interface LiveSenderOptions {
  wish: WatchWish;
  camera: MediaStream;
  screen: MediaStream | null;
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Relay to the proctor (through the signaling server). */
  signal: (data: SignalData) => void;
  changed: () => void;
}

/**
 * The candidate's live view to one proctor: clones of the recorded camera, microphone and
 * (on request) screen tracks on their own peer link with their own sender limits — the
 * recording is never touched. The ladder (src/core/ladder.ts) moves the link between video,
 * thumbnails over the data channel and events only, from the sender's own statistics.
 */
export class LiveSender {
  readonly peer: PeerLink;
  private readonly clones: MediaStreamTrack[] = [];
  private readonly camera: RTCRtpSender;
  private readonly audio: RTCRtpSender;
  private readonly screen: RTCRtpSender;
  private ladder: LadderState;
  private mark: StatsMark | null = null;
  private sampler: ReturnType<typeof setInterval>;
  private thumbs: ReturnType<typeof setInterval> | undefined;
  private readonly preview = document.createElement('video');
  /** Thumbnails sent and not yet acknowledged: sequence → send time. */
  private readonly unacked = new Map<number, number>();
  private thumbSeq = 0;
  private lastAckRtt: number | null = null;
  private wish: WatchWish;

  constructor(private readonly opts: LiveSenderOptions) {
    this.wish = opts.wish;
    this.peer = new PeerLink({ initiator: true, iceServers: opts.iceServers, ...(opts.iceTransportPolicy ? { iceTransportPolicy: opts.iceTransportPolicy } : {}) });
    const video = this.clone(opts.camera.getVideoTracks()[0]);
    const mic = this.clone(opts.camera.getAudioTracks()[0]);
    const live = new MediaStream([video, mic].filter((t): t is MediaStreamTrack => t !== null));
    this.camera = this.peer.pc.addTransceiver(video ?? 'video', { direction: 'sendonly', streams: [live] }).sender;
    this.audio = this.peer.pc.addTransceiver(mic ?? 'audio', { direction: 'sendonly', streams: [live] }).sender;
    this.screen = this.peer.pc.addTransceiver('video', { direction: 'sendonly' }).sender;
    this.preview.muted = true;
    this.preview.srcObject = live;
    void this.preview.play().catch(() => undefined);
    this.ladder = startLadder(performance.now(), this.top());
    this.peer.on('signal', opts.signal);
    this.peer.on('data', (d) => this.onData(d));
    this.peer.on('connect', () => void this.apply());
    this.peer.on('state', () => opts.changed());
    this.sampler = setInterval(() => void this.sample(), SAMPLE_MS);
    void this.apply();
  }

  get rung(): Rung {
    return this.ladder.rung;
  }

  /** Connected and showing moving video (the candidate's "a proctor is watching live" sign). */
  get watching(): boolean {
    return this.peer.connected && (this.rung === 'video' || this.rung === 'high');
  }

  signal(data: SignalData): Promise<void> {
    return this.peer.signal(data);
  }

  /** The proctor changed what they want (a better view, the screen). */
  update(wish: WatchWish): void {
    this.wish = wish;
    this.ladder = stepLadder(this.ladder, { at: performance.now(), connected: true, lossPct: 0, rttMs: 0, availableKbps: null }, this.top());
    void this.apply();
  }

  destroy(): void {
    clearInterval(this.sampler);
    clearInterval(this.thumbs);
    this.preview.srcObject = null;
    this.peer.destroy();
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

  private async sample(): Promise<void> {
    if (this.peer.pc.connectionState === 'closed') return;
    const flowing = this.rung === 'video' || this.rung === 'high';
    const { sample, mark } = linkSample(await this.peer.pc.getStats(), this.mark, performance.now(), this.peer.pc.connectionState === 'connected', flowing);
    this.mark = mark;
    // On the thumbnail rung no media flows: the thumbnails' own acknowledgements tell loss and delay.
    const s: LinkSample = this.rung === 'thumbnail' ? this.thumbnailSample(sample) : sample;
    const before = this.rung;
    this.ladder = stepLadder(this.ladder, s, this.top());
    if (this.rung !== before) await this.apply();
  }

  private thumbnailSample(s: LinkSample): LinkSample {
    const now = performance.now();
    const lost = [...this.unacked.values()].filter((at) => now - at > 5_000).length;
    for (const [seq, at] of this.unacked) if (now - at > 5_000) this.unacked.delete(seq);
    // The congestion controller's estimate goes stale while no video flows: the acknowledgements decide.
    return { ...s, lossPct: lost > 0 ? 100 : Math.max(0, s.lossPct ?? 0), rttMs: this.lastAckRtt ?? s.rttMs, availableKbps: null };
  }

  /** Sender limits for the rung: the video's bitrate, size and frame rate; off below video. */
  private async apply(): Promise<void> {
    const rung = this.rung;
    const v = rung === 'high' || rung === 'video' ? RUNG_VIDEO[rung] : null;
    const height = this.opts.camera.getVideoTracks()[0]?.getSettings().height ?? 360;
    await setEncoding(this.camera, v ? { active: true, maxBitrate: v.maxBitrate, maxFramerate: v.maxFramerate, scaleResolutionDownBy: Math.max(1, height / v.height) } : { active: false });
    // Sound only to the proctor who opened this candidate (the only place it can be unmuted), and
    // only with video: 50 packets a second per tile for sound nobody hears would cost the grid's
    // link and CPU, and the thumbnail rung is for links that cannot carry it either.
    const sound = v !== null && this.wish.quality === 'high';
    await setEncoding(this.audio, { active: sound, maxBitrate: AUDIO_BPS });
    const screen = this.wish.screen && v ? this.opts.screen?.getVideoTracks()[0] : undefined;
    if (screen && !this.screen.track) await this.screen.replaceTrack(this.clone(screen));
    await setEncoding(this.screen, screen ? { active: true, maxBitrate: v?.maxBitrate ?? 150_000, maxFramerate: 5 } : { active: false });
    clearInterval(this.thumbs);
    // The next sample starts afresh: counters from another rung say nothing about this one.
    this.mark = null;
    if (rung === 'thumbnail') {
      void this.sendThumbnail();
      this.thumbs = setInterval(() => void this.sendThumbnail(), THUMBNAIL.everyMs);
    }
    this.peer.send(encodeLiveMessage({ t: 'rung', rung }));
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
    if (this.peer.send(msg.buffer, 64 * 1024)) this.unacked.set(seq, performance.now());
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
