import type { CandidateMe } from '../core/api-schema.js';
import type { StoredExamRecordings } from '../core/stored-schema.js';
import { captureCamera, captureScreen } from './capture.js';
import { pickMimeType } from './pick-mime-type.js';
import { ensureRecorderReady, recorderWorker } from './recorder-worker-client.js';
import { SegmentRecorder } from './segment-recorder.js';
import { kvGet, kvSet } from '../storage/kv.js';
import { getRecording, isStorageFull, isWriteError } from '../storage/recording-store.js';
import { canWriteFile } from '../storage/space.js';

const RETRY_MS = 3_000;

export interface ExamRecorderOptions {
  now: () => number;
  /** After each stored chunk: the uploader sends it while online (live upload, R7). */
  onChunk: () => void;
  /**
   * A chunk could not be stored: a full disk (StorageFullError: recording goes on at half the
   * bitrate) or another write failure (StorageWriteError: a new segment at the same rate). The
   * caller tells the candidate and the proctor; nothing here touches the network.
   */
  onError: (err: unknown) => void;
  /** How long the worker may take to show it runs and can store (before entry). */
  readyTimeoutMs?: number;
  /** A captured track ended or was muted (unplugged camera, revoked permission, stopped sharing). */
  onTrack?: (kind: 'camera' | 'microphone' | 'screen', what: 'ended' | 'muted') => void;
  workerUrl?: string | URL;
}

export interface DeviceIds { camera?: string; microphone?: string }

/**
 * Camera + microphone and the whole screen, each a recording set that survives reloads: every
 * start (first entry or after a reload) is a new segment of the same sets (invariant 4).
 * Media only: it stores through the recorder worker and reports trouble upward.
 */
export class ExamRecorder {
  private recorders: SegmentRecorder[] = [];
  private streams: MediaStream[] = [];
  /** Bitrate factor: halved each time the device runs out of storage. */
  private factor = 1;
  private degrading = false;
  private finished = false;

  constructor(private readonly me: CandidateMe, private readonly opts: ExamRecorderOptions) {}

  private devices: DeviceIds = {};

  /** Whose exam this records. */
  get owner(): string {
    return `${this.me.exam.id}/${this.me.candidate.id}`;
  }

  /** Camera and microphone being recorded (for previews), or null. */
  get cameraStream(): MediaStream | null {
    return this.streams[0] ?? null;
  }

  /** The whole screen being recorded, or null. */
  get screenStream(): MediaStream | null {
    return this.streams[1] ?? null;
  }

  /** Capturing on this page: false before the first start, after a reload, or once a track ended. */
  get active(): boolean {
    return this.streams.length > 0 && !this.interrupted;
  }
  private interrupted = false;

  get recording(): boolean {
    return this.recorders.some((r) => r.state === 'recording');
  }

  /** The ids of this exam's recording sets on this device, made once. */
  async ids(): Promise<StoredExamRecordings['ids']> {
    const stored = await kvGet('examRecordings');
    if (stored && stored.examId === this.me.exam.id && stored.candidateId === this.me.candidate.id) return stored.ids;
    const ids = { camera: crypto.randomUUID(), screen: crypto.randomUUID() };
    await kvSet('examRecordings', { examId: this.me.exam.id, candidateId: this.me.candidate.id, ids });
    return ids;
  }

  /**
   * Asks for camera, microphone and the screen (needs a click). `beforeRecording` runs once all
   * three are granted and the recorder worker is known to run and store (entry asks the server
   * then: no entry is recorded without a working recorder); if anything fails, all is released.
   */
  async start(devices: DeviceIds = {}, beforeRecording: () => Promise<void> = async () => {}): Promise<void> {
    this.devices = devices;
    await ensureRecorderReady(this.opts.workerUrl, this.opts.readyTimeoutMs);
    // Started again after a track ended: the runs still going end their segments first.
    await Promise.all(this.recorders.map((r) => r.stopSegment()));
    this.streams.forEach((st) => st.getTracks().forEach((t) => t.stop()));
    this.streams = [];
    this.recorders = [];
    // Ask the browser to keep our storage (no eviction under pressure) before anything is stored.
    await navigator.storage.persist().catch(() => false);
    // This page tells a full disk by a test write outside the database: it must have worked once.
    await canWriteFile(64 * 1024);
    const camera = await captureCamera(this.me.recording, devices).catch(() => captureCamera(this.me.recording));
    let screen: MediaStream | null = null;
    try {
      screen = await captureScreen();
      await beforeRecording();
    } catch (err) {
      camera.getTracks().forEach((t) => t.stop());
      screen?.getTracks().forEach((t) => t.stop());
      throw err;
    }
    this.streams = [camera, screen];
    this.interrupted = false;
    this.watch(camera, screen);
    await this.record();
  }

  /**
   * R8: another camera or microphone. The camera recording ends its segment and goes on in a new
   * segment of the same set with the new device (a MediaRecorder cannot change its tracks).
   */
  async switchDevices(change: DeviceIds): Promise<void> {
    const camRecorder = this.recorders[0];
    const screen = this.streams[1];
    if (!camRecorder || !screen) return;
    const next = { ...this.devices, ...change };
    const camera = await captureCamera(this.me.recording, next);
    this.devices = next;
    await camRecorder.stopSegment();
    this.streams[0]?.getTracks().forEach((t) => t.stop());
    this.streams = [camera, screen];
    this.watch(camera);
    const ids = await this.ids();
    this.recorders[0] = this.cameraRecorder(camera, ids.camera);
    await this.recorders[0].start();
  }

  private watch(camera: MediaStream, screen?: MediaStream): void {
    const on = (track: MediaStreamTrack | undefined, kind: 'camera' | 'microphone' | 'screen') => {
      track?.addEventListener('ended', () => {
        if (this.finished || !this.streams.some((s) => s.getTracks().includes(track))) return;
        this.interrupted = true;
        this.opts.onTrack?.(kind, 'ended');
      });
      track?.addEventListener('mute', () => this.opts.onTrack?.(kind, 'muted'));
    };
    on(camera.getVideoTracks()[0], 'camera');
    on(camera.getAudioTracks()[0], 'microphone');
    if (screen) on(screen.getVideoTracks()[0], 'screen');
  }

  private common() {
    return {
      worker: recorderWorker(this.opts.workerUrl), now: this.opts.now,
      onPersisted: () => this.opts.onChunk(), onError: (err: unknown) => this.onError(err),
    };
  }

  private rate(bps: number): number {
    return Math.max(50_000, Math.round(bps * this.factor));
  }

  private cameraRecorder(camera: MediaStream, id: string): SegmentRecorder {
    const s = this.me.recording;
    return new SegmentRecorder(camera, {
      ...this.common(), recording: { examId: this.me.exam.id, candidateId: this.me.candidate.id, id, kind: 'camera', mimeType: pickMimeType(true) },
      videoBitsPerSecond: this.rate(s.videoBitsPerSecond), audioBitsPerSecond: s.audioBitsPerSecond,
    });
  }

  private async record(): Promise<void> {
    const [camera, screen] = this.streams;
    if (!camera || !screen) return;
    const ids = await this.ids();
    this.recorders = [
      this.cameraRecorder(camera, ids.camera),
      new SegmentRecorder(screen, {
        ...this.common(), recording: { examId: this.me.exam.id, candidateId: this.me.candidate.id, id: ids.screen, kind: 'screen', mimeType: pickMimeType(false) },
        videoBitsPerSecond: this.rate(this.me.recording.screenBitsPerSecond),
      }),
    ];
    const started = await Promise.allSettled(this.recorders.map((r) => r.start()));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(this.recorders.map((r) => r.stopSegment()));
      throw failed.reason;
    }
  }

  /**
   * A chunk was not stored: what is stored stays; the current segments end (a lost chunk would
   * break their order) and new ones start — at half the bitrate when the disk is full.
   */
  private onError(err: unknown): void {
    this.opts.onError(err);
    if (this.degrading || !(isStorageFull(err) || isWriteError(err))) return;
    this.degrading = true;
    if (isStorageFull(err)) this.factor /= 2;
    this.restarting = (async () => {
      await Promise.all(this.recorders.map((r) => r.stopSegment()));
      // While the disk stays full even opening a segment fails: keep trying until it works.
      while (!this.finished) {
        try {
          await this.record();
          return;
        } catch (again) {
          this.opts.onError(again);
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    })().finally(() => {
      this.degrading = false;
    });
  }

  private restarting: Promise<void> = Promise.resolve();

  /** The exam is over: both recordings stop for good, and the upload finishes them. */
  async end(): Promise<void> {
    this.finished = true;
    // A restart after a full disk may be starting recorders right now: let it finish first.
    await this.restarting.catch(() => undefined);
    await Promise.all(this.recorders.map((r) => r.stopSegment()));
    this.streams.forEach((st) => st.getTracks().forEach((t) => t.stop()));
    const ids = await this.ids();
    const worker = recorderWorker(this.opts.workerUrl);
    // Stopping is recorded even when this page never recorded (e.g. reopened after a crash).
    for (const id of [ids.camera, ids.screen]) if (await getRecording(id)) await worker.stop(id);
    this.recorders = [];
  }
}
