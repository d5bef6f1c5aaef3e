import * as Comlink from 'comlink';
import type { RecorderWorkerApi } from '../../workers/recorder-api.js';

/** Where the built worker lives (rollup.config.mjs); tests pass the source file instead. */
export const RECORDER_WORKER_URL = '/workers/recorder.worker.js';

let worker: Worker | null = null;
let remote: Comlink.Remote<RecorderWorkerApi> | null = null;

/** The one bridge to recorder.worker: started on first use, shared by every recorder. */
export function recorderWorker(url: string | URL = RECORDER_WORKER_URL): Comlink.Remote<RecorderWorkerApi> {
  if (!remote) {
    worker = new Worker(url, { type: 'module', name: 'recorder' });
    remote = Comlink.wrap<RecorderWorkerApi>(worker);
  }
  return remote;
}

/** Ends the worker (after the exam, or in tests). Stored chunks are unaffected. */
export function endRecorderWorker(): void {
  remote?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  remote = null;
}
