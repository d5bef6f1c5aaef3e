import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { writeJson } from '../helpers/test-server.js';
import { ROOT, spawnServer, type ChildServer } from '../helpers/child-server.js';
// @ts-expect-error plain ESM helper shared with the web-test-runner config
import { CHROMIUM_ARGS, FAKE_MEDIA_ARGS, findChromium } from '../../scripts/find-chromium.mjs';
import { assertServerCopies, endExam, localCopies, loginAndRecord } from '../helpers/recording-e2e.js';

/**
 * A real full disk, not a fake: the browser profile lives on a small tmpfs which the test fills.
 * Needs root for `mount` (CI and this machine run as root).
 *
 * The origin's storage is persistent here, as Chromium grants it to an installed app (the app asks
 * with `navigator.storage.persist()` before recording). Best-effort storage is not safe on a full
 * disk and no page can make it so: a write that fails for want of space makes Chromium start an
 * eviction round (QuotaManagerImpl::OnFullDiskError), which deletes the least recently used
 * best-effort origin whole — here, the only one. This test failed that way once in CI.
 */
let dir: string;
let disk: string;
let server: ChildServer;
let context: BrowserContext;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freeKb = () => Number(execFileSync('df', ['-k', '--output=avail', disk]).toString().split('\n')[1]);

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-disk-'));
  disk = await mkdtemp(path.join(os.tmpdir(), 'invigil-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', disk]);
  const file = await writeJson(dir, 'exam.json', examFixture({ id: 'disk', startAt: Date.now() + 12 * MIN, rooms: { A: 2 } }));
  await promisify(execFile)(process.execPath, ['bin/invigil.mjs', 'import', file], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir } });
  server = await spawnServer(dir, 'dist/node/server/main.js');
  context = await chromium.launchPersistentContext(path.join(disk, 'profile'), {
    executablePath: (findChromium)(),
    headless: true,
    // Chromium's own log (off the full disk): what its IndexedDB did while the disk was full.
    args: [...(CHROMIUM_ARGS), ...(FAKE_MEDIA_ARGS), '--enable-logging', `--log-file=${path.join(dir, 'chromium.log')}`],
  });
  const cdp = await context.newCDPSession(context.pages()[0] ?? await context.newPage());
  await cdp.send('Browser.grantPermissions', { origin: new URL(server.url).origin, permissions: ['durableStorage'] });
});
after(async () => {
  await context?.close();
  await server?.kill();
  try {
    execFileSync('umount', [disk]);
    await rmdir(disk);
  } catch {
    // before() failed before mounting
  }
  await rm(dir, { recursive: true, force: true });
});

test('the disk fills up mid-recording: warned, nothing stored is lost, recording resumes at a lower bitrate', async () => {
  const page = await loginAndRecord(context, server.url, 'cA-1');
  assert.equal(await page.evaluate(() => navigator.storage.persisted()), true, 'the app asked for persistent storage and got it');
  // Three camera chunks before the disk fills, so the first segment has a whole (middle) one to
  // measure: a fixed 3 s wait gave two on a slow CI run, and nothing to compare with.
  const cameraChunks = async () => (await localCopies(page)).find((r) => r.kind === 'camera')?.keys.filter((k) => k.startsWith('0/')).length ?? 0;
  for (let i = 0; (await cameraChunks()) < 3; i++) {
    if (i > 40) assert.fail('the camera did not store three chunks');
    await sleep(250);
  }
  const ids = (await localCopies(page)).map((r) => r.id).sort();
  assert.equal(ids.length, 2, 'camera and screen are recording');
  const filler = path.join(disk, 'filler');
  execFileSync('fallocate', ['-l', `${Math.max(0, freeKb() - 150) * 1024}`, filler]);
  await page.getByText('本机存储空间已满').waitFor({ timeout: 20_000 });
  await rm(filler);
  // Recording comes back by itself as a new segment once there is room again.
  for (let i = 0; ; i++) {
    const now = await localCopies(page);
    // The same recordings, each with a new segment (an empty list would mean the database was lost).
    assert.deepEqual(now.map((r) => r.id).sort(), ids, `the device's recordings are the ones made before the disk filled: ${JSON.stringify(now)}`);
    if (now.every((r) => r.segments >= 2)) break;
    if (i > 40) assert.fail('recording did not resume after space was freed');
    await sleep(500);
  }
  // Four chunks in the new segment: enough whole ones to measure its bitrate.
  const lastSegmentChunks = async () => {
    const camera = (await localCopies(page)).find((r) => r.kind === 'camera');
    const last = camera ? camera.segments - 1 : 0;
    return camera?.keys.filter((k) => k.startsWith(`${last}/`)).length ?? 0;
  };
  for (let i = 0; (await lastSegmentChunks()) < 4; i++) {
    if (i > 60) assert.fail('the resumed segment did not grow');
    await sleep(500);
  }
  await context.setOffline(true);
  await endExam(page);
  const local = await localCopies(page);
  assert.ok(local.every((r) => r.segments >= 2), JSON.stringify(local));
  // After the disk was full the camera records at half the bitrate: asked of MediaRecorder, and
  // seen in its 2 s chunks (the fake camera's simple picture never uses the whole 300 kbit/s, so
  // the measured drop is less than half: 45 → 35 KB per chunk when measured).
  const camera = local.find((r) => r.kind === 'camera')!;
  assert.deepEqual([camera.bitrates[0], camera.bitrates.at(-1)], [300_000, 150_000], JSON.stringify(camera.bitrates));
  const [before, afterFull] = [camera.chunkBytes[0], camera.chunkBytes.at(-1)];
  assert.ok(before && afterFull, `whole chunks on both sides: ${JSON.stringify(camera.chunkBytes)}`);
  assert.ok(afterFull < 0.9 * before, `camera chunk ${Math.round(afterFull)} B after vs ${Math.round(before)} B before the disk filled`);
  await context.setOffline(false);
  await page.getByText('上传成功').nth(1).waitFor({ timeout: 60_000 });
  await assertServerCopies(local, { dataDir: dir, examId: 'disk', candidate: 'cA-1' });
  // What failed runs showed before the app held off a full disk: every context re-opening the
  // database after Chromium closed it, each open failing to write its metadata, then the LevelDB
  // found corrupt once there was room — and the origin's database deleted, recordings and all.
  const log = await readFile(path.join(dir, 'chromium.log'), 'utf8');
  const reopens = log.match(/IndexedDB Write Error: SET_UP_METADATA/g)?.length ?? 0;
  console.log(`# chromium: ${reopens} "SET_UP_METADATA" errors (failed re-opens of IndexedDB on the full disk)`);
  assert.doesNotMatch(log, /Corruption|checksum mismatch/, 'Chromium found the database corrupt');
  assert.equal(reopens, 0, 'no context opened IndexedDB again before a test write found room');
});
