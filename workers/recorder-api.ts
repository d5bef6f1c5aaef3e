import type { UploadOutcome } from '../src/net/uploader.js';

/** What recorder.worker offers the page (over comlink). */
export interface NewRecording {
  id: string;
  examId: string;
  candidateId: string;
  kind: 'camera' | 'screen' | 'evidence';
  mimeType: string;
}

export interface PersistResult {
  sha256: string;
  chainHead: string;
  /** Chunk handed over → committed to IndexedDB, measured in the worker. */
  persistMs: number;
}

export interface SyncResult {
  outcomes: [string, UploadOutcome][];
  /** Requests made in the pass and the time spent waiting for their replies (benchmarks). */
  requests: number;
  waitMs: number;
  /** Of the pass's own time, the browser's taking of its requests (src/net/http.ts `requestStats`). */
  handOffMs: number;
  /** Database calls in the pass and their summed time; the pass's own time in the worker. */
  dbCalls: number;
  dbMs: number;
  workerMs: number;
}

/** The worker runs and can write to IndexedDB; what the browser says is left. */
export interface RecorderCheck { quota: number | null; usage: number | null }

export interface RecorderWorkerApi {
  /** Loaded, and a write to IndexedDB from the worker commits (checked before entry). */
  check(): Promise<RecorderCheck>;
  /** Creates the recording if new and opens its next segment; returns the segment number. */
  openSegment(rec: NewRecording, startedAt: number, videoBitsPerSecond?: number): Promise<number>;
  /** Hashes, chains and stores one chunk in one strict transaction. Calls are applied in order. */
  persist(recordingId: string, segment: number, seq: number, blob: Blob): Promise<PersistResult>;
  /** The exam is over for this recording. */
  stop(recordingId: string): Promise<void>;
  /**
   * One upload pass over everything on the device (off the page's main thread): outcome per
   * recording. `full` reads the whole store rather than what the worker's ledger knows (after the
   * link returns or the page becomes visible again). `outboxKey`: the newest outbox item the page
   * added — the pass waits (briefly) until the worker has heard of it.
   */
  sync(full?: boolean, outboxKey?: number): Promise<SyncResult>;
}
