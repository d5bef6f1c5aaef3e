// `npm test`: typecheck, lint, unit (Node), postgres (the server's tests again on PostgreSQL), build,
// browser (web-test-runner) and e2e (playwright-core) — then one line: `N passed, N failed`.
// `npm test -- unit` (or postgres, browser, e2e, static) runs only those stages.
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './find-chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = path.join(root, '.tmp');
const only = new Set(process.argv.slice(2));
const want = (stage) => only.size === 0 || only.has(stage) || (only.has('static') && ['typecheck', 'lint'].includes(stage));

/** Runs a command, echoing and capturing its output. Resolves with exit code and output. */
function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const echo = (d) => { out += d; process.stdout.write(d); };
    child.stdout.on('data', echo);
    child.stderr.on('data', echo);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const bin = (name) => path.join(root, 'node_modules/.bin', name);
const results = [];
const record = (stage, passed, failed, note = '', skipped = 0) => {
  results.push({ stage, passed, failed, skipped, note });
  console.log(`\n── ${stage}: ${passed} passed, ${failed} failed, ${skipped} skipped${note ? ` (${note})` : ''}\n`);
};

/** A stage that is one check: passes when the command exits 0. */
async function check(stage, cmd, args) {
  const { code } = await run(cmd, args);
  record(stage, code === 0 ? 1 : 0, code === 0 ? 0 : 1);
  return code === 0;
}

/**
 * Test files that assert wall-clock bounds (a 60-minute segment's first byte within 4 s, a seek
 * within 500 ms, a timer's wait within 200 ms): they run alone, after the rest, so another file's
 * load never decides them.
 */
const ALONE = ['review-api', 'http-classification'];
/**
 * Files of a stage at once (node:test's default on two cores is one): most of a file's time is its
 * start (tsx) and waits on servers and timers, so two at a time cut a clean clone's unit stage
 * from 176 s to 118 s and its postgres stage from 109 s to 81 s on this 2-core machine. e2e stays
 * one at a time: its pages share the cores with the camera feed and several tests time what a
 * candidate sees.
 */
const AT_ONCE = 2;

/** node:test over a folder (or the files given); counts read from its TAP reports. */
async function nodeTests(stage, dir, files = null, env = {}, atOnce = 1) {
  files ??= (await readdir(path.join(root, dir))).filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(dir, f));
  const alone = atOnce > 1 ? files.filter((f) => ALONE.includes(path.basename(f, '.test.ts'))) : [];
  const runs = [[files.filter((f) => !alone.includes(f)), atOnce], [alone, 1]].filter(([group]) => group.length > 0);
  const totals = { pass: 0, failed: 0, skipped: 0, exitFailed: false };
  for (const [i, [group, concurrency]] of runs.entries()) {
    const tap = path.join(tmp, `${stage}-${i}.tap`);
    const { code } = await run(process.execPath, [
      '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...group,
    ], env);
    const report = await readFile(tap, 'utf8').catch(() => '');
    const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(report)?.[1] ?? 0);
    totals.pass += count('pass');
    totals.failed += count('fail') + count('cancelled');
    // A skipped or todo test is not a pass: it is counted and shown apart.
    totals.skipped += count('skipped') + count('todo');
    if (code !== 0) totals.exitFailed = true;
  }
  record(stage, totals.pass, totals.failed || (totals.exitFailed ? 1 : 0), '', totals.skipped);
}

await mkdir(tmp, { recursive: true });
const t0 = Date.now();
if (want('typecheck')) await check('typecheck', process.execPath, [path.join(root, 'scripts/typecheck.mjs')]);
if (want('lint')) await check('lint', 'sh', ['-c', `"${bin('eslint')}" . && "${bin('lit-analyzer')}" src --strict`]);
if (want('unit')) await nodeTests('unit', 'test/unit', null, {}, AT_ONCE);

/**
 * The server's API, upload, review, retention and race tests again with their state in PostgreSQL
 * (a real cluster started here on loopback, a fresh database per test server); the S3 and Redis
 * tests among them run PostgreSQL + S3 + Redis together.
 */
const POSTGRES_PASS = [
  'chunk-packs', 'cluster', 'device-scope', 'engine-races', 'evidence-phone-api', 'flow-api', 'http-hardening', 'identity-api', 'login-throttle',
  'lottery', 'quotas', 'redis-throttle', 'refresh-rotation', 'reported-bytes', 'retention', 'review-api', 'review-judgement', 'room-hub',
  's3-server', 'server-api', 'sessions', 'uploads-api', 'uploads-sections-api', 'ws',
].map((name) => `test/unit/${name}.test.ts`);
if (want('postgres')) {
  let cluster = null;
  try {
    const { startPostgresCluster } = await import('../test/helpers/postgres-cluster.mjs');
    cluster = await startPostgresCluster();
  } catch (err) {
    console.error(`\n${err.message}\n`);
    record('postgres', 0, 1, 'no PostgreSQL');
  }
  if (cluster) {
    try {
      await nodeTests('postgres', 'test/unit', POSTGRES_PASS, { INVIGIL_TEST_POSTGRES: cluster.url }, AT_ONCE);
    } finally {
      await cluster.stop();
    }
  }
}

if (want('browser') || want('e2e')) {
  let chromium = null;
  try {
    chromium = findChromium();
  } catch (err) {
    console.error(`\n${err.message}\n`);
    record('browser+e2e', 0, 1, 'no Chromium');
  }
  if (chromium) {
    const env = { CHROME_PATH: chromium };
    // The face tests load the built worker and model; e2e drives the built app and server, as
    // `npm start` serves them.
    const built = await check('build', process.execPath, [path.join(root, 'scripts/build.mjs')]);
    if (want('browser')) {
      // One run per group (the face group has its own camera feed), each with its own summary.
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      for (const group of ['default', 'face']) {
        const { code, out } = await run(bin('web-test-runner'), ['--static-logging', '--group', group], env);
        const m = [...out.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)].pop();
        passed += Number(m?.[1] ?? 0);
        failed += Number(m?.[2] ?? 0) || (code === 0 ? 0 : 1);
        skipped += Number(m?.[3] ?? 0);
      }
      record('browser', passed, failed, '', skipped);
    }
    if (want('e2e') && built) {
      process.env.CHROME_PATH = chromium;
      await nodeTests('e2e', 'test/e2e');
    }
  }
}

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
console.log('\nSummary');
for (const r of results) console.log(`  ${r.stage.padEnd(12)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.note ? ` (${r.note})` : ''}`);
console.log(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
