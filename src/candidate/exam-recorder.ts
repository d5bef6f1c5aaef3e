import type { CandidateMe } from '../core/api-schema.js';
import type { StoredExamRecordings } from '../core/stored-schema.js';
import { captureCamera, captureScreen } from '../media/capture.js';
import { pickMimeType } from '../media/pick-mime-type.js';
import { recorderWorker } from '../media/recorder-worker-client.js';
import { SegmentRecorder } from '../media/segment-recorder.js';
import { kvGet, kvSet } from '../storage/kv.js';
import { getRecording } from '../storage/recording-store.js';

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
    const ids = await this.ids();
    const worker = recorderWorker(this.opts.workerUrl);
    const base = { examId: this.me.exam.id, candidateId: this.me.candidate.id };
    const common = { worker, now: this.opts.now, onPersisted: () => this.opts.onChunk(), onError: this.opts.onError };
    this.recorders = [
      new SegmentRecorder(camera, {
        ...common, recording: { ...base, id: ids.camera, kind: 'camera', mimeType: pickMimeType(true) },
        videoBitsPerSecond: s.videoBitsPerSecond, audioBitsPerSecond: s.audioBitsPerSecond,
      }),
      new SegmentRecorder(screen, {
        ...common, recording: { ...base, id: ids.screen, kind: 'screen', mimeType: pickMimeType(false) },
        videoBitsPerSecond: s.screenBitsPerSecond,
      }),
    ];
    await Promise.all(this.recorders.map((r) => r.start()));
  }

  /** The exam is over: both recordings stop for good, and the upload finishes them. */
  async end(): Promise<void> {
    await Promise.all(this.recorders.map((r) => r.stopSegment()));
    this.streams.forEach((st) => st.getTracks().forEach((t) => t.stop()));
    const ids = await this.ids();
    const worker = recorderWorker(this.opts.workerUrl);
    // Stopping is recorded even when this page never recorded (e.g. reopened after a crash).
    for (const id of [ids.camera, ids.screen]) if (await getRecording(id)) await worker.stop(id);
    this.recorders = [];
  }
}
