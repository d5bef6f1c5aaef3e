// Type-checks each place code runs with its own libs: core (no DOM, no Node), page, service
// worker, server, tests. A DOM call in core or the service worker does not compile.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const projects = ['tsconfig.core.json', 'tsconfig.json', 'tsconfig.worker.json', 'tsconfig.sw.json', 'server/tsconfig.json', 'test/tsconfig.json', 'test/browser/tsconfig.json', 'bench/tsconfig.json'];
let failed = 0;
for (const p of projects) {
  try {
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', p, '--noEmit'], { cwd: root, stdio: 'inherit' });
  } catch {
    failed++;
    console.error(`typecheck failed: ${p}`);
  }
}
process.exit(failed ? 1 : 0);
