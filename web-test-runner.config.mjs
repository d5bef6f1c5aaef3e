import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM_ARGS, FAKE_MEDIA_ARGS, NO_THROTTLE_ARGS, findChromium } from './scripts/find-chromium.mjs';

// esbuild reads the tsconfig file raw and does not follow "extends": hand it the merged options
// (experimentalDecorators and useDefineForClassFields matter for Lit's decorators).
const base = JSON.parse(readFileSync('tsconfig.base.json', 'utf8'));
mkdirSync('node_modules/.cache', { recursive: true });
const tsconfig = 'node_modules/.cache/wtr-tsconfig.json';
writeFileSync(tsconfig, JSON.stringify(base));

const launcher = (extraArgs = []) => chromeLauncher({
  launchOptions: { executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS, ...NO_THROTTLE_ARGS, ...FAKE_MEDIA_ARGS, ...extraArgs] },
});

// Real headless Chromium with a fake camera and microphone; real IndexedDB. The face tests get
// their own browser whose camera shows a real face (a y4m file, looped) and load the built worker
// and model (`npm test` builds first).
export default {
  files: ['test/browser/**/*.test.ts', '!test/browser/face/**'],
  groups: [
    {
      name: 'face',
      files: ['test/browser/face/**/*.test.ts'],
      browsers: [launcher([`--use-file-for-fake-video-capture=${path.resolve('test/fixtures/face-640x480.y4m')}`])],
    },
  ],
  nodeResolve: { browser: true },
  // One page at a time: test files share this origin's IndexedDB, and some delete it.
  concurrency: 1,
  testFramework: { config: { timeout: 10_000 } },
  plugins: [esbuildPlugin({ ts: true, tsconfig, target: 'es2022' })],
  browsers: [launcher()],
};
