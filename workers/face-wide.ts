import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { SPECS, anchorsOf, decode, weightedNms, type Detection, type DetectorSpec } from '../src/core/face-anchors.js';
import type { WideFace } from './face-api.js';

/**
 * The "others in view" check: BlazeFace "back" (256 px, made for a phone's rear camera) over the
 * whole frame and over four overlapping tiles of it, so that a face a tenth of the frame's width
 * — someone two or three metres behind the candidate — is as large to the model as a near face
 * is to the short-range one. Measured on composed scenes (`npm run bench -- face --only distance`);
 * the short-range model keeps the candidate's own face (landmarks, framing, the login gate).
 */
const MODEL_URL = new URL('../models/blazeface-back.json', self.location.href).href;
/** A tile's side, as a share of the frame's width: two across, overlapping by a tenth. */
const TILE = 0.55;
/** Larger faces are taken from the whole frame only (a tile may show part of a near face). */
const TILE_MAX_FACE = 0.12;
/** Score floor: 0 false faces on the empty rooms and the cat (the cat scores 0.72 at 0.65). */
export const WIDE_MIN_SCORE = 0.75;

let graph: GraphModel | null = null;
let loading: Promise<GraphModel> | null = null;

function model(): Promise<GraphModel> {
  loading ??= loadGraphModel(MODEL_URL).then((g) => (graph = g));
  return loading;
}

/**
 * The model's rows in anchor order: the BlazeFace models give four outputs (scores and boxes for
 * 512 and 384 anchors); the full-range detector one [2304, 17] row each (score, then the box).
 */
function outputs(input: tf.Tensor4D, g: GraphModel, spec: DetectorSpec): { scores: Float32Array; boxes: Float32Array } {
  const outs = [g.predict(input) as tf.Tensor | tf.Tensor[]].flat();
  try {
    const width = 4 + 2 * spec.keypoints;
    const rows = outs.find((o) => o.shape[2] === width + 1);
    if (rows) {
      const all = rows.dataSync() as Float32Array;
      const n = all.length / (width + 1);
      const scores = new Float32Array(n);
      const boxes = new Float32Array(n * width);
      for (let i = 0; i < n; i++) {
        scores[i] = all[i * (width + 1)] ?? -Infinity;
        boxes.set(all.subarray(i * (width + 1) + 1, (i + 1) * (width + 1)), i * width);
      }
      return { scores, boxes };
    }
    const pick = (n: number, depth: number) => {
      const t = outs.find((o) => o.shape[1] === n && o.shape[2] === depth);
      if (!t) throw new Error(`model output [1,${n},${depth}] missing`);
      return t.dataSync() as Float32Array;
    };
    const join = (a: Float32Array, b: Float32Array) => {
      const out = new Float32Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    };
    return { scores: join(pick(512, 1), pick(384, 1)), boxes: join(pick(512, width), pick(384, width)) };
  } finally {
    for (const o of outs) o.dispose();
  }
}

const grids = new Map<DetectorSpec, Float32Array>();
function anchorsFor(spec: DetectorSpec): Float32Array {
  let a = grids.get(spec);
  if (!a) grids.set(spec, (a = anchorsOf(spec)));
  return a;
}

/** Faces in one square region of the frame, in frame-normalised coordinates. */
function region(pixels: tf.Tensor3D, g: GraphModel, spec: DetectorSpec, x: number, y: number, side: number, minScore: number): Detection[] {
  const [h, w] = pixels.shape;
  const input = tf.tidy(() => {
    const crop = tf.slice(pixels, [y, x, 0], [Math.min(side, h - y), Math.min(side, w - x), 3]);
    // Padded to a square with mid-grey (0 after scaling), as MediaPipe letterboxes.
    const [ch, cw] = crop.shape;
    const square = tf.pad(crop, [[0, side - ch], [0, side - cw], [0, 0]], 127.5);
    const scaled = tf.image.resizeBilinear(square, [spec.input, spec.input]);
    return tf.expandDims<tf.Tensor4D>(tf.sub(tf.div(scaled, 127.5), 1), 0);
  });
  try {
    const { scores, boxes } = outputs(input, g, spec);
    return decode(spec, anchorsFor(spec), scores, boxes, minScore).map((d) => ({
      ...d,
      box: [(x + d.box[0] * side) / w, (y + d.box[1] * side) / h, (x + d.box[2] * side) / w, (y + d.box[3] * side) / h],
      keypoints: d.keypoints.map(([kx, ky]): [number, number] => [(x + kx * side) / w, (y + ky * side) / h]),
    }));
  } finally {
    input.dispose();
  }
}

/**
 * Faces in the image by one detector, boxes 0–1: over the whole frame, and with `tiles` over four
 * overlapping tiles too (small faces only from those). Exported for the detector comparison
 * (`npm run bench -- face --only distance`); the app calls wideFaces().
 */
export function facesWith(g: GraphModel, spec: DetectorSpec, image: ImageData, opts: { tiles: boolean; minScore: number; frame?: boolean; tileMaxFace?: number }): WideFace[] {
  const pixels = tf.tidy(() => tf.cast<tf.Tensor3D>(tf.browser.fromPixels(image), 'float32'));
  try {
    const { width, height } = image;
    const found = opts.frame === false ? [] : region(pixels, g, spec, 0, 0, Math.max(width, height), opts.minScore);
    const side = Math.round(TILE * width);
    const ys = height > side ? [0, height - side] : [0];
    for (const y of opts.tiles ? ys : []) {
      for (const x of [0, width - side]) {
        for (const d of region(pixels, g, spec, x, y, side, opts.minScore)) if (d.box[2] - d.box[0] <= (opts.tileMaxFace ?? TILE_MAX_FACE)) found.push(d);
      }
    }
    return weightedNms(found).map((d) => ({ box: d.box, score: d.score }));
  } finally {
    pixels.dispose();
  }
}

/** Every face the wide check finds in the image (the candidate's own among them), boxes 0–1. */
export async function wideFaces(image: ImageData): Promise<WideFace[]> {
  const g = graph ?? (await model());
  return facesWith(g, SPECS.back, image, { tiles: true, minScore: WIDE_MIN_SCORE });
}
