import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExamConfig, type ExamConfigInput } from '../../src/core/exam-schema.js';
import { startServer, type RunningServer } from '../../server/start-server.js';
// @ts-expect-error plain ESM helper shared with scripts/test.mjs
import { createDatabaseOn } from './postgres-cluster.mjs';

/**
 * `npm test`'s PostgreSQL pass sets INVIGIL_TEST_POSTGRES (a running cluster's admin URL): every
 * test server then keeps its state in a fresh database of its own — the same one again when a test
 * restarts a server on the same data directory.
 */
const pgAdmin = process.env.INVIGIL_TEST_POSTGRES;
const databases = new Map<string, string>();
async function serverEnv(dir: string, env: NodeJS.ProcessEnv | undefined): Promise<NodeJS.ProcessEnv | undefined> {
  if (!pgAdmin || env?.DATABASE_URL) return env;
  const url = databases.get(dir) ?? await (createDatabaseOn as (admin: string) => Promise<string>)(pgAdmin);
  databases.set(dir, url);
  return { ...(env ?? process.env), DATABASE_URL: url };
}

/** A settable server clock for tests. */
export class TestClock {
  private real = false;
  constructor(public t: number) {}
  readonly now = () => (this.real ? Date.now() : this.t);
  /** From now on the server reads the real clock (for tests of real timers). */
  followRealTime(): void {
    this.real = true;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestServer extends RunningServer {
  dataDir: string;
  /** What the server logged, line by line. */
  logs: string[];
  clock: TestClock;
  /** The environment it runs with (the CLI, run on its data, needs the same DATABASE_URL). */
  env: NodeJS.ProcessEnv;
  /** fetch against the server, JSON in and out. */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  importExam(exam: ExamConfigInput): Promise<void>;
  stop(): Promise<void>;
}

/** The real server on a random loopback port with a temp DATA_DIR and a test clock. */
export async function startTestServer(clockStart = Date.now(), dataDir?: string, appDir?: string, env?: NodeJS.ProcessEnv): Promise<TestServer> {
  const dir = dataDir ?? await mkdtemp(path.join(os.tmpdir(), 'invigil-test-'));
  const clock = new TestClock(clockStart);
  const logs: string[] = [];
  const withDb = await serverEnv(dir, env);
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: dir, now: clock.now, log: (l) => logs.push(l), ...(appDir ? { appDir } : {}), ...(withDb ? { env: withDb } : {}) });
  return {
    ...server,
    dataDir: dir,
    env: withDb ?? process.env,
    logs,
    clock,
    async call(method, url, body, headers = {}) {
      const res = await fetch(server.url + url, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: any = null;
      try { json = text ? JSON.parse(text) : null; } catch { json = text; }
      return { status: res.status, json };
    },
    async importExam(exam) {
      await server.services.exams.put(ExamConfig.parse(exam));
      await server.scheduler.poke();
    },
    async stop() {
      await server.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}
