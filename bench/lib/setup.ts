import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ExamConfig } from '../../src/core/exam-schema.js';
import { startServer, type RunningServer } from '../../server/start-server.js';
import { examFixture } from '../../test/helpers/exam-fixture.js';
// @ts-expect-error plain ESM helper shared with the test runner config
import { CHROMIUM_ARGS, FAKE_MEDIA_ARGS, findChromium } from '../../scripts/find-chromium.mjs';

export interface BenchEnv {
  server: RunningServer;
  browser: Browser;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The real server (built app) on loopback with a fresh exam, and headless Chromium with fake media.
 * Candidates can log in, draw and enter for `openMinutes` from now (the exam starts then): a bench
 * whose candidates enter later than ≈ 9 minutes in (the default lottery closes 5 minutes before a
 * start 14 minutes away) says how long it needs.
 */
export async function benchEnv(examId: string, candidates: number, openMinutes = 14): Promise<BenchEnv> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `invigil-bench-${examId}-`));
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, log: () => {} });
  const before = Math.max(30, openMinutes + 1);
  const timeline = openMinutes > 14 ? { loginOpensMinutesBefore: before, entryOpensMinutesBefore: before, lotteryClosesMinutesBefore: 0 } : {};
  await server.services.exams.put(ExamConfig.parse(examFixture({ id: examId, startAt: Date.now() + openMinutes * 60_000, rooms: { A: candidates }, timeline })));
  const browser = await chromium.launch({
    executablePath: (findChromium as () => string)(),
    headless: true,
    args: [...(CHROMIUM_ARGS as string[]), ...(FAKE_MEDIA_ARGS as string[]), '--enable-precise-memory-info'],
  });
  return {
    server, browser, dataDir,
    async close() {
      await browser.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function emit(bench: string, metric: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ bench, metric, value: Math.round(value * 1000) / 1000, unit, ...extra }));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
