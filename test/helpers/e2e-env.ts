import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import type { ExamConfigInput } from '../../src/core/exam-schema.js';
import { writeJson } from './test-server.js';
import { ROOT, spawnServer, type ChildServer } from './child-server.js';
import { launchBrowser } from './browser.js';

export interface E2eEnv {
  dir: string;
  server: ChildServer;
  browser: Browser;
  /** Imports one more exam with the CLI while the server runs (it sees it at once). */
  importExam(exam: ExamConfigInput): Promise<void>;
  close(): Promise<void>;
}

async function cliImport(dir: string, exam: ExamConfigInput): Promise<void> {
  const file = await writeJson(dir, `exam-${exam.id}.json`, exam);
  await promisify(execFile)(process.execPath, ['bin/invigil.mjs', 'import', file], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir } });
}

/**
 * What every e2e file starts from: a temp DATA_DIR, the exam loaded the way an administrator
 * does it (the CLI), the built server as its own process, and headless Chromium.
 */
export async function e2eEnv(exam: ExamConfigInput, serverEnv: Record<string, string> = {}): Promise<E2eEnv> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `invigil-e2e-${exam.id}-`));
  await cliImport(dir, exam);
  const env: E2eEnv = {
    dir,
    server: await spawnServer(dir, 'dist/node/server/main.js', [], serverEnv),
    browser: await launchBrowser(),
    importExam: (next) => cliImport(dir, next),
    async close() {
      try {
        await env.browser.close();
      } finally {
        await env.server.kill();
        await rm(dir, { recursive: true, force: true });
      }
      // The browser reports what the policy blocked (report-uri): any report fails the file.
      const reports = env.server.output().split('\n').filter((l) => l.startsWith('csp: blocked'));
      if (reports.length > 0) throw new Error(`the Content-Security-Policy blocked:\n${reports.join('\n')}`);
    },
  };
  return env;
}
