#!/usr/bin/env node
// The administrator's CLI. Runs the built server code, building it first on a fresh clone.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/node/server/cli.js');
if (!existsSync(cli)) execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--server'], { stdio: 'inherit' });
const { runCli } = await import(cli);
process.exitCode = await runCli(process.argv.slice(2));
