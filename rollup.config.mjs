import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import esbuild from 'rollup-plugin-esbuild';
import path from 'node:path';

/**
 * TensorFlow.js as its flat ES bundles: one tfjs-core instance for core, converter, backends and
 * blazeface, and no CommonJS dependencies (long, seedrandom) to convert.
 */
const TFJS = {
  '@tensorflow/tfjs-core': 'node_modules/@tensorflow/tfjs-core/dist/tf-core.fesm.js',
  '@tensorflow/tfjs-converter': 'node_modules/@tensorflow/tfjs-converter/dist/tf-converter.fesm.js',
  '@tensorflow/tfjs-backend-wasm': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.js',
  '@tensorflow/tfjs-backend-cpu': 'node_modules/@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.fesm.js',
  '@tensorflow-models/blazeface': 'node_modules/@tensorflow-models/blazeface/dist/blazeface.esm.js',
};
/** Node-only modules the WASM backend's emscripten glue imports (its package maps them to false). */
const NODE_ONLY = new Set(['fs', 'path', 'os', 'perf_hooks', 'worker_threads']);
const EMPTY = '\0empty-module';
const tfjsFlat = () => ({
  name: 'tfjs-flat',
  resolveId(id, importer) {
    if (TFJS[id]) return path.resolve(TFJS[id]);
    if (NODE_ONLY.has(id) && importer?.includes('tfjs-backend-wasm')) return EMPTY;
    return null;
  },
  load: (id) => (id === EMPTY ? 'export default {};' : null),
});

// Type checking is `npm run typecheck`; here esbuild only strips types (fast on 2 cores).
const plugins = (tsconfig) => [
  tfjsFlat(),
  replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
  nodeResolve({ browser: true, extensions: ['.ts', '.js', '.mjs'] }),
  esbuild({ tsconfig, target: 'es2022', minify: true, legalComments: 'none' }),
];

export default [
  {
    // Workers are entries too (module workers share the page's chunks); they keep a fixed URL.
    input: { main: 'src/main.ts', 'recorder.worker': 'workers/recorder.worker.ts', 'face.worker': 'workers/face.worker.ts' },
    output: {
      dir: 'dist/app',
      format: 'es',
      entryFileNames: (chunk) => (chunk.name.endsWith('.worker') ? 'workers/[name].js' : 'assets/[name]-[hash].js'),
      chunkFileNames: 'assets/[name]-[hash].js',
      sourcemap: true,
    },
    plugins: plugins('tsconfig.json'),
  },
  {
    input: 'sw.ts',
    output: { file: 'dist/sw-src/sw.js', format: 'iife', sourcemap: false },
    plugins: plugins('tsconfig.sw.json'),
  },
];
