import type { CandidateMe } from '../core/api-schema.js';
import type { StoredExamRecordings } from '../core/stored-schema.js';
import { captureCamera, captureScreen } from '../media/capture.js';
import { pickMimeType } from '../media/pick-mime-type.js';
import { recorderWorker } from '../media/recorder-worker-client.js';
import { SegmentRecorder } from '../media/segment-recorder.js';
import { kvGet, kvSet } from '../storage/kv.js';
import { getRecording, isStorageFull } from '../storage/recording-store.js';
import { reportProblem } from '../net/uploader.js';
import { deviceUploadDeps } from '../net/sync-all.js';
import { expectedRecordingBytes, storageVerdict, type StorageVerdict } from '../core/storage-budget.js';

const RETRY_MS = 3_000;

export interface ExamRecorderOptions {
  now: () => number;
  /** After each stored chunk: the uploader sends it while online (live upload, R7). */
  onChunk: () => void;
  onError: (err: unknown) => void;
  workerUrl?: string | URL;
}

/**
 * Camera + microphone and the whole screen, each a recording set that survives reloads: every
 * start (first entry or after a reload) is a new segment of the same sets (invariant 4).
 */
export class ExamRecorder {
  private recorders: SegmentRecorder[] = [];
  private streams: MediaStream[] = [];
  /** Bitrate factor: halved each time the device runs out of storage. */
  private factor = 1;
  private degrading = false;
  private finished = false;

  constructor(private readonly me: CandidateMe, private readonly opts: ExamRecorderOptions) {}

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

  /** Whether this device already stopped this exam's recordings (the exam ended here). */
  async ended(): Promise<boolean> {
    const stored = await kvGet('examRecordings');
    if (stored?.examId !== this.me.exam.id) return false;
    const rec = await getRecording(stored.ids.camera);
    return rec !== undefined && rec.state !== 'recording';
  }

  /**
   * Asks the browser to keep our storage (no eviction under pressure) and checks there is room
   * for twice the expected recording, from entry to the end of the exam.
   */
  async checkStorage(): Promise<StorageVerdict> {
    const storage = navigator.storage as StorageManager | undefined;
    await storage?.persist().catch(() => false);
    const est = await storage?.estimate().catch(() => undefined);
    const t = this.me.exam.times;
    const seconds = Math.max(0, t.endAt - Math.min(t.entryOpensAt, this.opts.now())) / 1000;
    return storageVerdict(est?.quota, est?.usage, expectedRecordingBytes(this.me.recording, seconds));
  }

  /** Asks for camera, microphone and the screen (needs a click), then records both. */
  async start(): Promise<void> {
    const s = this.me.recording;
    const camera = await captureCamera(s);
    let screen: MediaStream;
    try {
      screen = await captureScreen();
    } catch (err) {
      camera.getTracks().forEach((t) => t.stop());
      throw err;
    }
    this.streams = [camera, screen];
    await this.record();
  }

  private async record(): Promise<void> {
    const s = this.me.recording;
    const [camera, screen] = this.streams;
    if (!camera || !screen) return;
    const ids = await this.ids();
    const worker = recorderWorker(this.opts.workerUrl);
    const base = { examId: this.me.exam.id, candidateId: this.me.candidate.id };
    const rate = (bps: number) => Math.max(50_000, Math.round(bps * this.factor));
    const common = { worker, now: this.opts.now, onPersisted: () => this.opts.onChunk(), onError: (err: unknown) => this.onError(err) };
    this.recorders = [
      new SegmentRecorder(camera, {
        ...common, recording: { ...base, id: ids.camera, kind: 'camera', mimeType: pickMimeType(true) },
        videoBitsPerSecond: rate(s.videoBitsPerSecond), audioBitsPerSecond: s.audioBitsPerSecond,
      }),
      new SegmentRecorder(screen, {
        ...common, recording: { ...base, id: ids.screen, kind: 'screen', mimeType: pickMimeType(false) },
        videoBitsPerSecond: rate(s.screenBitsPerSecond),
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
   * Storage full: what is stored stays; the current segments end (a lost chunk would break their
   * order) and new ones start at half the bitrate. The candidate is told (and, later, the proctor).
   */
  private onError(err: unknown): void {
    this.opts.onError(err);
    if (!isStorageFull(err) || this.degrading) return;
    this.degrading = true;
    void this.ids().then((ids) => Promise.all([ids.camera, ids.screen].map((id) =>
      reportProblem(id, 'storage full on the device: recording goes on at a lower bitrate', deviceUploadDeps))));
    this.factor /= 2;
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
