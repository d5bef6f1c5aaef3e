import type { NewRecording, PersistResult, RecorderWorkerApi } from '../../workers/recorder-api.js';

export const PERSIST_MEASURE = 'invigil:persist';

export interface SegmentRecorderOptions {
  recording: NewRecording;
  worker: RecorderWorkerApi;
  /** Server time for the segment's start (the server clock, not the device's). */
  now: () => number;
  videoBitsPerSecond: number;
  audioBitsPerSecond?: number;
  timesliceMs?: number;
  /** Called after each chunk is committed (for progress and benchmarks). */
  onPersisted?: (result: PersistResult & { seq: number; size: number }) => void;
  /** Called when a chunk could not be stored (e.g. storage full); recording goes on. */
  onError?: (err: unknown) => void;
}

/**
 * One recorder run over a stream: a new segment of the recording set, starting with its own
 * webm header so it plays on its own. Each timeslice chunk goes straight to the worker, which
 * stores it; the page holds at most the chunks still being handed over.
 */
export class SegmentRecorder {
  private recorder: MediaRecorder | null = null;
  private seq = 0;
  private inFlight = new Set<Promise<unknown>>();
  segment = -1;
  /** Most chunks that were waiting for the worker at once. */
  maxInFlight = 0;

  constructor(private readonly stream: MediaStream, private readonly opts: SegmentRecorderOptions) {}

  async start(): Promise<number> {
    const { recording, worker, now } = this.opts;
    this.segment = await worker.openSegment(recording, Math.round(now()), this.opts.videoBitsPerSecond);
    this.recorder = new MediaRecorder(this.stream, {
      mimeType: recording.mimeType,
      videoBitsPerSecond: this.opts.videoBitsPerSecond,
      ...(this.opts.audioBitsPerSecond ? { audioBitsPerSecond: this.opts.audioBitsPerSecond } : {}),
    });
    this.recorder.addEventListener('dataavailable', (e) => this.onData(e.data));
    this.recorder.start(this.opts.timesliceMs ?? 2_000);
    return this.segment;
  }

  get state(): RecordingState {
    return this.recorder?.state ?? 'inactive';
  }

  /** Ends this segment: the last chunk is flushed and stored before this resolves. */
  async stopSegment(): Promise<void> {
    const rec = this.recorder;
    if (rec && rec.state !== 'inactive') {
      const stopped = new Promise((resolve) => rec.addEventListener('stop', resolve, { once: true }));
      rec.stop();
      await stopped;
    }
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private onData(blob: Blob): void {
    if (blob.size === 0) return;
    const seq = this.seq++;
    const handedOver = performance.now();
    const task = this.opts.worker.persist(this.opts.recording.id, this.segment, seq, blob)
      .then((r) => {
        // Chunk handed to the worker → committed: a User Timing entry that benchmarks read.
        performance.measure(PERSIST_MEASURE, { start: handedOver, end: performance.now() });
        this.opts.onPersisted?.({ ...r, seq, size: blob.size });
      })
      .catch((err: unknown) => this.opts.onError?.(err))
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
  }
}
