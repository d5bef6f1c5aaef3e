#!/usr/bin/env node
// The administrator's CLI. Runs the built server code, (re)building it first when the sources
// are newer (a fresh clone has no build). Build output goes to stderr: stdout is the answer.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { isStale } from '../scripts/freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/node/server/cli.js');
if (isStale(cli, ['server', 'src/core'].map((p) => path.join(root, p)))) {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--server'], { stdio: ['ignore', 2, 2] });
}
const { runCli } = await import(cli);
process.exitCode = await runCli(process.argv.slice(2));
