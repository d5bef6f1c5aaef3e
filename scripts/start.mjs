// `npm start`: builds when the build is missing or older than the sources, then runs the demo.
// Flags after `--` go to the demo (e.g. `npm start -- --short`).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isStale } from './freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'server', 'public', 'sw.ts', 'index.html', 'rollup.config.mjs', 'package-lock.json'];

if (isStale(path.join(root, 'dist/.build-stamp'), SOURCES.map((s) => path.join(root, s)))) {
  console.log('building…');
  await new Promise((resolve, reject) => {
    spawn(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' })
      .on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed (${code})`))));
  });
}

// The server's allocator setting (server/memory-note.ts): in its environment before it starts.
const { MALLOC_ENV } = await import(pathToFileURL(path.join(root, 'dist/node/server/memory-note.js')).href);
const env = { ...MALLOC_ENV, ...process.env };
const child = spawn(process.execPath, [path.join(root, 'dist/node/server/demo.js'), ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
