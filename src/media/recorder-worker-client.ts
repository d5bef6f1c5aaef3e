import * as Comlink from 'comlink';
import type { NewRecording, PersistResult, RecorderCheck, RecorderWorkerApi } from '../../workers/recorder-api.js';

/** Where the built worker lives (rollup.config.mjs); tests pass the source file instead. */
export const RECORDER_WORKER_URL = '/workers/recorder.worker.js';
const READY_TIMEOUT_MS = 10_000;

/** The recorder worker did not load or does not answer: nothing can be recorded on this page. */
export class RecorderUnavailableError extends Error {
  override readonly name = 'RecorderUnavailableError';
}

interface Bridge { url: string; worker: Worker; remote: Comlink.Remote<RecorderWorkerApi>; broken: Promise<never> }
let bridge: Bridge | null = null;

function open(url: string): Bridge {
  const worker = new Worker(url, { type: 'module', name: 'recorder' });
  // A worker that fails to load (or dies) answers no call: every call races this and fails.
  const broken = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      reject(new RecorderUnavailableError(`the recorder worker failed: ${e.message || 'it did not load'}`));
    });
  });
  broken.catch(() => undefined);
  return { url, worker, remote: Comlink.wrap<RecorderWorkerApi>(worker), broken };
}

function current(url: string): Bridge {
  if (bridge?.url !== url) {
    bridge?.worker.terminate();
    bridge = open(url);
  }
  return bridge;
}

/**
 * The one bridge to recorder.worker: started on first use, shared by every recorder. A call
 * never hangs on a worker that failed: it rejects with RecorderUnavailableError.
 */
export function recorderWorker(url: string | URL = RECORDER_WORKER_URL): RecorderWorkerApi {
  const key = String(url);
  const call = <T>(fn: (r: Comlink.Remote<RecorderWorkerApi>) => Promise<T>): Promise<T> => {
    const b = current(key);
    return Promise.race([fn(b.remote), b.broken]);
  };
  return {
    check: () => call((r) => r.check()),
    openSegment: (rec: NewRecording, startedAt: number, bps?: number) => call((r) => r.openSegment(rec, startedAt, bps)),
    persist: (id: string, segment: number, seq: number, blob: Blob): Promise<PersistResult> => call((r) => r.persist(id, segment, seq, blob)),
    stop: (id: string) => call((r) => r.stop(id)),
    sync: (full?: boolean, outboxKey?: number) => call((r) => r.sync(full, outboxKey)),
  };
}

/**
 * Starts the worker and checks it before anything depends on it (before the server is asked to
 * record an entry): loaded, answering, and able to write to IndexedDB — within `timeoutMs`.
 */
export async function ensureRecorderReady(url: string | URL = RECORDER_WORKER_URL, timeoutMs = READY_TIMEOUT_MS): Promise<RecorderCheck> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RecorderUnavailableError(`the recorder worker did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([recorderWorker(url).check(), timeout]);
  } catch (err) {
    endRecorderWorker();
    throw err instanceof RecorderUnavailableError ? err : new RecorderUnavailableError(`the recorder cannot store: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Ends the worker (after the exam, or in tests). Stored chunks are unaffected. */
export function endRecorderWorker(): void {
  bridge?.remote[Comlink.releaseProxy]();
  bridge?.worker.terminate();
  bridge = null;
}
