import * as Comlink from 'comlink';
import { WIDE_WIDTH, type Description, type FaceWorkerApi, type FrameResult } from '../../workers/face-api.js';

/** Where the built worker lives (rollup.config.mjs). */
export const FACE_WORKER_URL = '/workers/face.worker.js';
/** With no frame for this long the worker (and its model memory) is ended; the next frame restarts it. */
export const FACE_IDLE_MS = 30_000;

let worker: Worker | null = null;
let remote: Comlink.Remote<FaceWorkerApi> | null = null;
/** Rejects when the worker cannot start (missing file, a script error): calls would wait forever. */
let failed: Promise<never> = new Promise<never>(() => undefined);
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let workerUrl: string | URL = FACE_WORKER_URL;

/** Points the bridge at another worker file (tests load the built one). */
export function setFaceWorkerUrl(url: string | URL): void {
  endFaceWorker();
  workerUrl = url;
}

function face(): Comlink.Remote<FaceWorkerApi> {
  if (!remote) {
    const w = new Worker(workerUrl, { type: 'module', name: 'face' });
    failed = new Promise<never>((_, reject) => {
      w.addEventListener('error', (e) => reject(new Error(`the face worker failed: ${e.message || 'could not load'}`)), { once: true });
    });
    failed.catch(() => undefined);
    worker = w;
    remote = Comlink.wrap<FaceWorkerApi>(w);
  }
  clearTimeout(idleTimer);
  idleTimer = setTimeout(endFaceWorker, FACE_IDLE_MS);
  return remote;
}

/** Loads the face model in the worker (the first call takes the download and compile). */
export async function faceReady(): Promise<string> {
  const f = face();
  return Promise.race([f.ready(), failed]);
}

/**
 * The model sees 128×128; frames go over at this width (aspect kept), scaled by the browser when
 * the bitmap is made — a fraction of the pixels to copy. Measured: at 128 px the landmarks are too
 * coarse for the frontal rule and a dark face is lost; handing over the camera's VideoFrame and
 * scaling in the worker costs 0.6 ms more per frame.
 */
export const ANALYSIS_WIDTH = 192;


type Source = HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap;

function sizeOf(source: Source): { width: number; height: number } {
  return source instanceof HTMLVideoElement ? { width: source.videoWidth, height: source.videoHeight } : { width: source.width, height: source.height };
}

/**
 * Faces in the source's current frame, in the source's pixels. A camera's frame goes to the
 * worker as a VideoFrame (a reference: ≈ 0.1 ms here, where a scaled ImageBitmap cost ≈ 6 ms of
 * the page's main thread per frame) and is scaled there; other sources as a small ImageBitmap.
 */
export async function detectFaces(source: Source, opts: { wide?: boolean } = {}): Promise<FrameResult & { roundTripMs: number }> {
  const t0 = performance.now();
  const { width, height } = sizeOf(source);
  const w = Math.min(ANALYSIS_WIDTH, width);
  const h = Math.max(1, Math.round((w * height) / Math.max(1, width)));
  const wide = opts.wide === true;
  const f = face();
  const frame = videoFrameOf(source);
  // The wide check needs the frame at up to 640 px: a bitmap that large, scaled down again in the worker.
  const bw = wide ? Math.min(WIDE_WIDTH, width) : w;
  const bh = Math.max(1, Math.round((bw * height) / Math.max(1, width)));
  const sent = frame
    ? f.detect(Comlink.transfer(frame, [frame as unknown as Transferable]), { width: w, height: h }, wide)
    : createImageBitmap(source, { resizeWidth: bw, resizeHeight: bh, resizeQuality: 'medium' }).then((b) => f.detect(Comlink.transfer(b, [b]), { width: w, height: h }, wide));
  const r = await Promise.race([sent, failed]);
  const k = width / r.width;
  const faces = r.faces.map((f) => ({
    ...f,
    box: f.box.map((v) => v * k) as typeof f.box,
    landmarks: f.landmarks.map(([x, y]): [number, number] => [x * k, y * k]),
  }));
  // The wide check's boxes are shares of the frame: in the source's pixels like the rest.
  const others = r.wide && { ...r.wide, faces: r.wide.faces.map((o) => ({ ...o, box: [o.box[0] * width, o.box[1] * height, o.box[2] * width, o.box[3] * height] as typeof o.box })) };
  return { ...r, ...(others ? { wide: others } : {}), width, height, faces, roundTripMs: performance.now() - t0 };
}

/** The video's current frame where the browser has WebCodecs (else null: an ImageBitmap is made). */
function videoFrameOf(source: Source): VideoFrame | null {
  if (!(source instanceof HTMLVideoElement) || typeof VideoFrame === 'undefined') return null;
  try {
    return new VideoFrame(source);
  } catch {
    return null;
  }
}

/** Whether the face worker is running now. */
export function faceWorkerRunning(): boolean {
  return worker !== null;
}

export function endFaceWorker(): void {
  clearTimeout(idleTimer);
  failed = new Promise<never>(() => undefined);
  remote?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  remote = null;
}

/**
 * The face-match descriptor of an image (a login capture or a reference photo), made in the
 * face worker. The image is decoded here and transferred; nothing leaves the device.
 */
export async function describeImage(image: Blob): Promise<Description> {
  const bitmap = await createImageBitmap(image);
  const f = face();
  return Promise.race([f.describe(Comlink.transfer(bitmap, [bitmap])), failed]);
}
