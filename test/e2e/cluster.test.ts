import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/password.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../helpers/exam-fixture.js';
import { writeJson } from '../helpers/test-server.js';
import { ROOT, spawnServer, type ChildServer } from '../helpers/child-server.js';
import { launchBrowser } from '../helpers/browser.js';
import { startHaproxy, type TestHaproxy } from '../helpers/haproxy.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
// @ts-expect-error plain ESM helper shared with scripts/test.mjs
import { startPostgresCluster } from '../helpers/postgres-cluster.mjs';
import { waitForStep, walkToExam } from '../helpers/flow-e2e.js';
import { assertServerCopies, endExam, localCopies } from '../helpers/recording-e2e.js';
import { openTile, proctorLogin, tile, videoMoving } from '../helpers/proctor-e2e.js';

/**
 * Issue 16's deployment, whole: two built server processes, each with its own (empty) DATA_DIR,
 * their state in PostgreSQL, the evidence in an S3 bucket (s3rver), live notices and the leader
 * lease in Redis, behind haproxy configured as docs/deploy.md says (round robin, no stickiness).
 * The candidate reaches the servers only through haproxy; the proctor's console is opened on the
 * process that does not hold the candidate's socket. Then that other process is killed mid-exam.
 */
interface PgCluster { url: string; createDatabase(): Promise<string>; stop(): Promise<void> }
const SEC = 1000;
let pg: PgCluster;
let redis: TestRedis;
let s3: TestS3;
let lb: TestHaproxy;
let browser: Browser;
const servers: ChildServer[] = [];
const dirs: string[] = [];
let env: Record<string, string>;

before(async () => {
  pg = await (startPostgresCluster as () => Promise<PgCluster>)();
  [redis, s3] = await Promise.all([startRedis(), startS3('invigil-cluster')]);
  env = {
    DATABASE_URL: await pg.createDatabase(), REDIS_URL: redis.url, INVIGIL_SECRET: randomBytes(32).toString('hex'), LEADER_LEASE_SECONDS: '3',
    S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  };
  const adminDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-cluster-admin-'));
  dirs.push(adminDir);
  const exam = examFixture({ id: 'cluster', startAt: Date.now() + 12 * MIN, rooms: { A: 2 }, proctorHash: await hashPassword(PROCTOR_PASSWORD) });
  const file = await writeJson(adminDir, 'exam.json', exam);
  // Migrations and the import, as an administrator runs them before starting the processes.
  await promisify(execFile)(process.execPath, ['bin/invigil.mjs', 'import', file], { cwd: ROOT, env: { ...process.env, ...env, DATA_DIR: adminDir } });
  for (let i = 0; i < 2; i++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), `invigil-cluster-${i}-`));
    dirs.push(dir);
    servers.push(await spawnServer(dir, 'dist/node/server/main.js', [], env));
  }
  lb = await startHaproxy(servers.map((s) => new URL(s.url).host));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const s of servers) await s.kill();
  await lb?.stop();
  await redis?.stop();
  await s3?.close();
  await pg?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  const reports = servers.flatMap((s) => s.output().split('\n')).filter((l) => l.startsWith('csp: blocked'));
  if (reports.length > 0) throw new Error(`the Content-Security-Policy blocked:\n${reports.join('\n')}`);
});

const health = async (s: ChildServer) => (await fetch(`${s.url}/healthz`)).json() as Promise<{ ok: boolean; db: string; store: string; redis: string; sockets: number }>;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe().catch(() => null);
    if (got) return got;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('two processes behind haproxy: the candidate records through either, the proctor on the other sees them live and chats; one process killed mid-exam and an offline end lose nothing', async () => {
  for (const s of servers) assert.deepEqual(await health(s), { ok: true, db: 'ok', store: 'ok', redis: 'ok', sockets: 0 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page: Page = await context.newPage();
  await walkToExam(page, lb.url, 'cA-1', 'TA-1', { examId: 'cluster', stopAtEnter: true });
  await page.getByRole('button', { name: '进入考试' }).click();
  await waitForStep(page, 'devices');
  await page.getByRole('button', { name: '下一步' }).click();
  await waitForStep(page, 'exam');

  // Which process holds the candidate's socket (haproxy chose); the proctor goes to the other.
  const holder = await until('the candidate\'s socket', 15 * SEC, async () => {
    const counts = await Promise.all(servers.map(health));
    const i = counts.findIndex((h) => h.sockets > 0);
    return i >= 0 ? { index: i } : null;
  });
  const [held, other] = holder.index === 0 ? [servers[0]!, servers[1]!] : [servers[1]!, servers[0]!];
  const spread = await lb.stats();
  assert.ok(Object.values(spread).every((s) => s.sessions > 0), `the candidate's requests went to both processes: ${JSON.stringify(spread)}`);

  const proctor = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await proctorLogin(proctor, other.url, 'cluster', 'p1', PROCTOR_PASSWORD);
  // The live view's offer and answer cross from one process to the other over Redis.
  const video = await videoMoving(proctor, 'cA-1', 'video', 20 * SEC);
  assert.ok(video.frames >= 2 && video.differ, `live video of cA-1 on the other process's console: ${JSON.stringify(video)}`);

  await page.getByRole('button', { name: '求助' }).click();
  await page.getByLabel('给监督员的消息').fill('老师，我这边声音很小。');
  await page.getByRole('button', { name: '发送' }).click();
  await tile(proctor, 'cA-1').getByText('求助 1').waitFor({ timeout: 10 * SEC });
  await openTile(proctor, 'cA-1');
  const detail = proctor.locator('section[data-detail="cA-1"]');
  await detail.getByText('老师，我这边声音很小。').waitFor();
  await detail.getByLabel('回复考生').fill('收到，请靠近麦克风说话。');
  await detail.getByRole('button', { name: '发送', exact: true }).click();
  await page.getByText('收到，请靠近麦克风说话。').waitFor({ timeout: 10 * SEC });
  await detail.getByRole('button', { name: '关闭' }).click();

  // The process holding the candidate's socket dies mid-exam.
  const beforeKill = (await lb.stats());
  await held.kill('SIGKILL');
  // haproxy sees it down; the candidate's socket comes back on the survivor, its uploads go on there.
  await until('the candidate\'s socket on the surviving process', 30 * SEC, async () => (await health(other)).sockets >= 2);
  await until('the lease taken by the survivor', 15 * SEC, () => Promise.resolve(other.output().includes('leader: this process runs')));
  await page.waitForTimeout(6 * SEC);
  const afterKill = await lb.stats();
  const survivor = Object.keys(afterKill).find((k) => afterKill[k]!.status.startsWith('UP'));
  assert.ok(survivor && afterKill[survivor]!.sessions > beforeKill[survivor]!.sessions, `requests went on to the survivor: ${JSON.stringify(afterKill)}`);
  await tile(proctor, 'cA-1').getByText(/仍在本机录制/).waitFor({ state: 'detached', timeout: 10 * SEC });

  // The end offline, then the link back: everything arrives, verified, byte for byte.
  await context.setOffline(true);
  await endExam(page);
  const local = await localCopies(page);
  assert.ok(local.every((r) => r.segments >= 1 && r.chunks > 4), JSON.stringify(local));
  await context.setOffline(false);
  await page.getByText('上传成功').nth(1).waitFor({ timeout: 90 * SEC });
  await assertServerCopies(local, { dataDir: dirs[0]!, examId: 'cluster', candidate: 'cA-1', env: { ...process.env, ...env } });
});
