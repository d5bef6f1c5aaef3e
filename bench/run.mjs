// `npm run bench -- <name> [options]`: runs bench/<name>.ts (recording, upload, shell, face, distance, proctor, evidence, review, load) against the built
// app; prints one JSON object per line: {"bench","metric","value","unit", …}.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...rest] = process.argv.slice(2);
const file = name && path.join(root, 'bench', `${name}.ts`);
if (!file || !existsSync(file)) {
  console.error('usage: npm run bench -- <recording|upload|shell|face|distance|proctor|evidence|review|load> [options]');
  process.exit(2);
}
// The benchmarks drive the built app, like `npm start` serves it.
spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: ['ignore', 2, 2] });
const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...rest], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
