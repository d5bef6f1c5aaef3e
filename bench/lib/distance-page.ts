// The detector comparison's page (bundled by bench/distance.ts with esbuild): the app's own
// decoding (workers/face-wide.ts, src/core/face-anchors.ts) on tfjs's WASM backend, each model's
// weights from this origin, on scenes composed from public-domain photos.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { SPECS, iou, type DetectorName } from '../../src/core/face-anchors.js';
import { facesWith } from '../../workers/face-wide.js';
import { drawRoom, drawScene, loadScenePhotos, seeded, type ScenePhotos } from '../../test/browser/helpers/scenes.js';

const FILES: Record<DetectorName, string> = { front: 'blazeface-front', back: 'blazeface-back', full: 'facemesh-detection-full' };
const graphs = new Map<DetectorName, GraphModel>();
let photos: ScenePhotos;
const canvas = new OffscreenCanvas(640, 480);
const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;

async function init(): Promise<string> {
  setWasmPaths('/wasm/');
  await tf.setBackend('wasm');
  await tf.ready();
  for (const name of Object.keys(FILES) as DetectorName[]) graphs.set(name, await loadGraphModel(`/hm/${FILES[name]}.json`));
  photos = await loadScenePhotos();
  return tf.getBackend();
}

interface Config { model: DetectorName; tiles: boolean; minScore: number; frame?: boolean; tileMaxFace?: number }

function run(c: Config) {
  const g = graphs.get(c.model);
  if (!g) throw new Error(`no model ${c.model}`);
  const t0 = performance.now();
  const faces = facesWith(g, SPECS[c.model], ctx.getImageData(0, 0, 640, 480), c);
  return { faces: faces.map((f) => ({ ...f, box: [f.box[0] * 640, f.box[1] * 480, f.box[2] * 640, f.box[3] * 480] as typeof f.box })), ms: performance.now() - t0 };
}

/** Share of scenes in which the face at the back (`width` of the frame) is found; other faces found beside. */
function sweep(c: Config, width: number, scenes: number) {
  let found = 0;
  let extra = 0;
  const ms: number[] = [];
  for (let k = 0; k < scenes; k++) {
    const scene = drawScene(ctx, 640, 480, photos, width, seeded(1000 * width + k));
    const r = run(c);
    ms.push(r.ms);
    if (r.faces.some((f) => scene.other && iou(f.box, scene.other) > 0.25)) found++;
    extra += r.faces.filter((f) => iou(f.box, scene.candidate) <= 0.1 && !(scene.other && iou(f.box, scene.other) > 0.1)).length;
  }
  return { found: found / scenes, extra, ms };
}

/** Faces found where there are none: empty rooms, and the cat. */
async function negatives(c: Config, rooms: number) {
  let rooms_ = 0;
  for (let k = 0; k < rooms; k++) {
    drawRoom(ctx, 640, 480, seeded(5000 + k));
    rooms_ += run(c).faces.length;
  }
  const cat = await createImageBitmap(await (await fetch('/test/fixtures/chelsea.png')).blob());
  ctx.drawImage(cat, 0, 0, 640, 480);
  return { rooms: rooms_, cat: run(c).faces.length };
}

Object.assign(globalThis, { distance: { init, sweep, negatives } });
