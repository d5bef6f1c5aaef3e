import type { PhoneMe } from '../core/evidence-phone.js';
import { pickMimeType } from '../media/pick-mime-type.js';
import { ensureRecorderReady, recorderWorker } from '../media/recorder-worker-client.js';
import { SegmentRecorder } from '../media/segment-recorder.js';
import type { Owner } from '../storage/credentials.js';
import { getRecording } from '../storage/recording-store.js';

type Facing = 'environment' | 'user';
/**
 * The phone films all exam long on a mobile link: 4 s chunks (the laptop's are 2 s) halve the
 * requests — each carries about 1 KB of headers — and the storage writes; nobody watches this
 * upload live, and a drop costs at most the part of one chunk in flight.
 */
const PHONE_TIMESLICE_MS = 4_000;

export interface PhoneRecorderOptions {
  now: () => number;
  /** After each stored chunk (the uploader sends it while online). */
  onChunk: () => void;
  onError: (err: unknown) => void;
  /** The camera or microphone ended or was muted (the phone tells the candidate). */
  onTrack: (kind: 'camera' | 'microphone', what: 'ended' | 'muted') => void;
  /** The screen wake lock was taken or lost. */
  onAwake: (held: boolean) => void;
}

/**
 * The phone's camera and microphone as the `evidence` recording: the same pipeline as the laptop
 * (MediaRecorder → recorder worker → hash chain in IndexedDB → uploader → server verification);
 * every start after a reload or an interruption is a new segment of the same set. Holds the
 * screen wake lock while recording and takes it again whenever the page is visible again.
 */
export class PhoneRecorder {
  stream: MediaStream | null = null;
  private recorder: SegmentRecorder | null = null;
  private wake: WakeLockSentinel | null = null;
  private ended = false;
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible' && this.recording) void this.holdWakeLock();
  };

  constructor(private readonly settings: PhoneMe['recording'], private readonly opts: PhoneRecorderOptions) {}

  get recording(): boolean {
    return this.recorder?.state === 'recording';
  }

  get awake(): boolean {
    return this.wake !== null && !this.wake.released;
  }

  /** Opens the chosen camera (front or rear) at 360p with the microphone. */
  async open(facing: Facing): Promise<MediaStream> {
    this.release();
    const s = this.settings;
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: facing }, width: { ideal: s.width }, height: { ideal: s.height }, frameRate: { ideal: s.frameRate } },
      audio: { echoCancellation: true, noiseSuppression: true },
    });
    this.ended = false;
    for (const track of this.stream.getTracks()) {
      const kind = track.kind === 'video' ? 'camera' : 'microphone';
      track.addEventListener('ended', () => {
        if (!this.ended) this.opts.onTrack(kind, 'ended');
      });
      track.addEventListener('mute', () => this.opts.onTrack(kind, 'muted'));
    }
    return this.stream;
  }

  /** Starts a new segment of this phone's evidence recording on the open camera. */
  async start(owner: Owner, recordingId: string): Promise<void> {
    if (!this.stream) throw new Error('no camera open');
    await ensureRecorderReady();
    await navigator.storage.persist().catch(() => false);
    await this.recorder?.stopSegment();
    this.recorder = new SegmentRecorder(this.stream, {
      recording: { ...owner, id: recordingId, kind: 'evidence', mimeType: pickMimeType(true) },
      worker: recorderWorker(), now: this.opts.now,
      videoBitsPerSecond: this.settings.videoBitsPerSecond, audioBitsPerSecond: this.settings.audioBitsPerSecond,
      timesliceMs: PHONE_TIMESLICE_MS,
      onPersisted: () => this.opts.onChunk(), onError: (err) => this.opts.onError(err),
    });
    await this.recorder.start();
    document.addEventListener('visibilitychange', this.onVisible);
    await this.holdWakeLock();
  }

  /** The exam is over (or stopped by hand): the last chunk is stored, the set is closed for upload. */
  async finish(recordingId: string): Promise<void> {
    this.ended = true;
    await this.recorder?.stopSegment();
    this.recorder = null;
    this.release();
    if (await getRecording(recordingId)) await recorderWorker().stop(recordingId);
  }

  private release(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    document.removeEventListener('visibilitychange', this.onVisible);
    void this.wake?.release().catch(() => undefined);
    this.wake = null;
  }

  private async holdWakeLock(): Promise<void> {
    // Not in every browser (older Safari and Firefox): the page then says the screen may lock.
    if (!('wakeLock' in navigator) || this.awake) return;
    try {
      this.wake = await navigator.wakeLock.request('screen');
      this.wake.addEventListener('release', () => this.opts.onAwake(false));
      this.opts.onAwake(true);
    } catch {
      // Refused (battery saver, not visible): the page asks again when it is visible.
      this.opts.onAwake(false);
    }
  }
}
