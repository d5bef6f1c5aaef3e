/**
 * Decoding the raw output of MediaPipe's single-shot face detectors (BlazeFace short-range "front",
 * its 256-pixel "back" variant, and the full-range detector) into faces: the anchor grid each
 * model was trained with, the offsets it predicts from those anchors, and the weighted
 * non-maximum suppression MediaPipe applies. Pure: the worker runs the model, this reads numbers.
 *
 * The anchors follow MediaPipe's SsdAnchorsCalculator with fixed-size anchors: one grid per
 * stride, `perCell` anchors at every cell centre (layers of the same stride are merged, which is
 * where 2 and 6 come from). Offsets are in input pixels; the score is a logit.
 */
export interface DetectorSpec {
  /** Square input side in pixels. */
  input: number;
  /** Grids, in output order: stride in input pixels and anchors per cell. */
  grids: readonly { stride: number; perCell: number }[];
  /** Six keypoints (eyes, nose, mouth, ears) follow the box in each row. */
  keypoints: number;
}

export const SPECS = {
  /** BlazeFace short range (128 px): faces within about 2 m. */
  front: { input: 128, grids: [{ stride: 8, perCell: 2 }, { stride: 16, perCell: 6 }], keypoints: 6 },
  /** BlazeFace "back" (256 px), trained for a phone's rear camera: smaller faces. */
  back: { input: 256, grids: [{ stride: 16, perCell: 2 }, { stride: 32, perCell: 6 }], keypoints: 6 },
  /** The full-range detector (192 px, one dense 48×48 grid): faces up to about 5 m. */
  full: { input: 192, grids: [{ stride: 4, perCell: 1 }], keypoints: 6 },
} as const satisfies Record<string, DetectorSpec>;

export type DetectorName = keyof typeof SPECS;

/** Anchor centres, normalised to the input (0–1), in the order the model's rows come. */
export function anchorsOf(spec: DetectorSpec): Float32Array {
  const out: number[] = [];
  for (const { stride, perCell } of spec.grids) {
    const cells = Math.ceil(spec.input / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) out.push((x + 0.5) / cells, (y + 0.5) / cells);
      }
    }
  }
  return new Float32Array(out);
}

export function anchorCount(spec: DetectorSpec): number {
  return spec.grids.reduce((n, g) => n + Math.ceil(spec.input / g.stride) ** 2 * g.perCell, 0);
}

/** A face in the model's input, normalised (0–1): box corners, keypoints, score (0–1). */
export interface Detection {
  box: [x1: number, y1: number, x2: number, y2: number];
  keypoints: [number, number][];
  score: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, v))));

/**
 * Rows above `minScore` decoded: `scores` one logit per anchor, `boxes` 4 + 2 × keypoints numbers
 * per anchor (centre x, y, width, height, then keypoint x, y pairs; all in input pixels).
 */
export function decode(spec: DetectorSpec, anchors: Float32Array, scores: Float32Array, boxes: Float32Array, minScore: number): Detection[] {
  const n = anchors.length / 2;
  const width = 4 + 2 * spec.keypoints;
  if (scores.length !== n || boxes.length !== n * width) throw new Error(`detector output does not fit its anchors: ${scores.length} scores, ${boxes.length / width} boxes, ${n} anchors`);
  const out: Detection[] = [];
  const logit = Math.log(minScore / (1 - minScore));
  for (let i = 0; i < n; i++) {
    const raw = scores[i] ?? -Infinity;
    if (raw < logit) continue;
    const ax = anchors[2 * i] ?? 0;
    const ay = anchors[2 * i + 1] ?? 0;
    const r = (j: number) => (boxes[i * width + j] ?? 0) / spec.input;
    const cx = ax + r(0);
    const cy = ay + r(1);
    const w = r(2);
    const h = r(3);
    const keypoints: [number, number][] = [];
    for (let k = 0; k < spec.keypoints; k++) keypoints.push([ax + r(4 + 2 * k), ay + r(5 + 2 * k)]);
    out.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], keypoints, score: sigmoid(raw) });
  }
  return out;
}

export function iou(a: Detection['box'], b: Detection['box']): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const area = (r: Detection['box']) => Math.max(0, r[2] - r[0]) * Math.max(0, r[3] - r[1]);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * MediaPipe's weighted suppression: the best-scoring detection takes every other that overlaps it
 * by more than `threshold` (IoU), and its box and keypoints become their score-weighted mean; the
 * score stays the best one's. Neighbouring anchors firing on one face become one steadier face.
 */
export function weightedNms(found: Detection[], threshold = 0.3): Detection[] {
  const rest = [...found].sort((a, b) => b.score - a.score);
  const out: Detection[] = [];
  for (let top = rest[0]; top; top = rest[0]) {
    const group = rest.filter((d) => iou(top.box, d.box) > threshold);
    const keep = rest.filter((d) => iou(top.box, d.box) <= threshold && d !== top);
    const total = group.reduce((s, d) => s + d.score, 0);
    const mean = (pick: (d: Detection) => number) => group.reduce((s, d) => s + pick(d) * d.score, 0) / total;
    out.push({
      box: [mean((d) => d.box[0]), mean((d) => d.box[1]), mean((d) => d.box[2]), mean((d) => d.box[3])],
      keypoints: top.keypoints.map((_, k) => [mean((d) => d.keypoints[k]?.[0] ?? 0), mean((d) => d.keypoints[k]?.[1] ?? 0)]),
      score: top.score,
    });
    rest.splice(0, rest.length, ...keep);
  }
  return out;
}
