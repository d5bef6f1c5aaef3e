import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import esbuild from 'rollup-plugin-esbuild';

// Type checking is `npm run typecheck`; here esbuild only strips types (fast on 2 cores).
const plugins = (tsconfig) => [
  replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
  nodeResolve({ browser: true, extensions: ['.ts', '.js', '.mjs'] }),
  esbuild({ tsconfig, target: 'es2022', minify: true, legalComments: 'none' }),
];

export default [
  {
    // Workers are entries too (module workers share the page's chunks); they keep a fixed URL.
    input: { main: 'src/main.ts', 'recorder.worker': 'workers/recorder.worker.ts' },
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
