import { createHash } from 'node:crypto';
import { createServices } from '../../server/services.js';
import { readChunk } from '../../server/domain/recordings.js';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { walkToExam } from './flow-e2e.js';

export interface LocalCopy {
  id: string; kind: string; state: string; chainHead: string; sha256: string; bytes: number; chunks: number; segments: number; keys: string[];
  /** Per segment: mean bytes of its whole middle chunks (each one timeslice; not the header chunk, not the last). */
  chunkBytes: (number | null)[];
  /** Server time the first segment started. */
  startedAt: number;
  /** Per segment: the video bitrate its recorder was asked for. */
  bitrates: (number | null)[];
}

/**
 * What the device holds, read from IndexedDB in the page: per recording, the hash of all its
 * bytes in order. Plain JS in a string: tsx would decorate a function with helpers the page lacks.
 */
const LOCAL_COPIES = `(async () => {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open('invigil');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const all = (store) => new Promise((resolve, reject) => {
    const req = db.transaction(store).objectStore(store).getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const recs = await all('recordings');
  const chunks = await all('chunks');
  db.close();
  const out = [];
  for (const r of recs) {
    const mine = chunks.filter((c) => c.recordingId === r.id).sort((a, b) => a.segment - b.segment || a.seq - b.seq);
    const bytes = new Uint8Array(await new Blob(mine.map((c) => c.blob)).arrayBuffer());
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    const chunkBytes = r.segments.map((s) => {
      const middle = mine.filter((c) => c.segment === s.segment && c.seq > 0 && c.seq < s.chunks - 1);
      return middle.length ? middle.reduce((n, c) => n + c.size, 0) / middle.length : null;
    });
    out.push({ id: r.id, kind: r.kind, state: r.state, chainHead: r.chainHead, sha256, bytes: bytes.length, chunks: mine.length, segments: r.segments.length, keys: mine.map((c) => c.segment + '/' + c.seq), chunkBytes, startedAt: r.segments[0] ? r.segments[0].startedAt : 0, bitrates: r.segments.map((s) => s.videoBitsPerSecond ?? null) });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind));
})()`;

export function localCopies(page: Page): Promise<LocalCopy[]> {
  return page.evaluate<LocalCopy[]>(LOCAL_COPIES);
}

/**
 * The server's copy of a recording: the chunks its database lists, read from its blob store in
 * (segment, seq) order and hashed together. (Files no row refers to are not part of it.)
 */
export async function serverCopy(dataDir: string, examId: string, candidateId: string, recordingId: string, env: NodeJS.ProcessEnv = process.env): Promise<{ sha256: string; bytes: number; chunks: number }> {
  const services = await createServices(dataDir, { env, log: () => {} });
  try {
    const owner = { exam: examId, candidate: candidateId };
    const rows = await services.db.selectFrom('recording_chunks').select(['segment', 'seq', 'sha256', 'size', 'pack', 'pack_offset'])
      .where('recording_id', '=', recordingId).orderBy('segment').orderBy('seq').execute();
    const hash = createHash('sha256');
    let bytes = 0;
    let chunks = 0;
    for (const row of rows) {
      // Under its own key or inside a request's pack: read as the server reads it for review.
      const piece = await readChunk(services.blobs, owner, { ...row, recordingId });
      if (!piece) throw new Error(`chunk ${row.segment}/${row.seq} is listed but not stored`);
      hash.update(piece);
      bytes += piece.length;
      chunks++;
    }
    return { sha256: hash.digest('hex'), bytes, chunks };
  } finally {
    await services.db.destroy();
  }
}

/**
 * A fixture candidate (ticket T<id without the c>) through the flow to the exam page by the
 * visible labels: entering starts the recording (camera + screen).
 */
export async function loginAndRecord(context: BrowserContext, url: string, candidate: string): Promise<Page> {
  const page = await context.newPage();
  await walkToExam(page, url, candidate, `T${candidate.slice(1)}`);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  return page;
}

/** Reopened mid-exam: 【继续录制】 starts the next segment; waits until it runs. */
export async function resumeRecording(page: Page): Promise<void> {
  const resume = page.getByRole('button', { name: '继续录制' });
  await resume.click();
  try {
    await resume.waitFor({ state: 'detached' });
  } catch (err) {
    // Why it stayed: the page's own words (a failed start shows them beside the button).
    const shown = await page.getByRole('alert').allInnerTexts().catch(() => []);
    const logged = (await page.consoleMessages()).filter((m) => m.type() === 'error' || m.type() === 'warning').map((m) => m.text());
    throw new Error(`【继续录制】 stayed; the page shows ${JSON.stringify(shown)}; its console: ${JSON.stringify(logged.slice(-10))}`, { cause: err });
  }
}

/** 【结束考试】 then 【确认】, and wait until recording has stopped (the last chunks are stored). */
export async function endExam(page: Page): Promise<void> {
  await page.getByRole('button', { name: '结束考试' }).click();
  await page.getByRole('button', { name: '确认' }).click();
  await page.getByRole('status').filter({ hasText: /录制已停止|全部录像已上传成功/ }).waitFor();
}

/** Waits until the server holds every chunk the device recorded, then compares all bytes. */
export async function assertServerCopies(local: LocalCopy[], where: { dataDir: string; examId: string; candidate: string; env?: NodeJS.ProcessEnv }, timeoutMs = 60_000): Promise<void> {
  assert.ok(local.length > 0 && local.every((r) => r.chunks > 0), 'something was recorded');
  const deadline = Date.now() + timeoutMs;
  for (const rec of local) {
    for (;;) {
      const copy = await serverCopy(where.dataDir, where.examId, where.candidate, rec.id, where.env).catch(() => null);
      if (copy?.chunks === rec.chunks) {
        assert.equal(copy.bytes, rec.bytes, `${rec.kind}: bytes`);
        assert.equal(copy.sha256, rec.sha256, `${rec.kind}: SHA-256 of all bytes`);
        break;
      }
      if (Date.now() > deadline) assert.fail(`${rec.kind}: the server has ${copy?.chunks ?? 0} of ${rec.chunks} chunks`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Samples the upload screen's rows every 100 ms from now on (in this page's life): per recording
 * its bar's value and max. Read them with `uploadRowFaults`.
 */
export async function sampleUploadRows(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const rows = (root, out) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.matches('li[data-recording]')) {
          const bar = el.querySelector('progress');
          if (bar) out.push({ kind: el.getAttribute('data-recording'), value: bar.value, max: bar.max });
        }
        if (el.shadowRoot) rows(el.shadowRoot, out);
      }
      return out;
    };
    window.__uploadRows = [];
    // Every 25 ms: an upload that finishes within half a second still gives enough samples to judge.
    setInterval(() => window.__uploadRows.push(...rows(document, [])), 25);
  })()`);
}

/** What the sampled rows did wrong: more uploaded than recorded, or a figure going backwards. */
export async function uploadRowFaults(page: Page): Promise<{ samples: number; faults: string[]; last: Record<string, { value: number; max: number }> }> {
  const samples = await page.evaluate<{ kind: string; value: number; max: number }[]>('window.__uploadRows');
  const faults: string[] = [];
  const last: Record<string, { value: number; max: number }> = {};
  for (const s of samples) {
    const before = last[s.kind];
    if (s.value > s.max) faults.push(`${s.kind}: ${s.value} of ${s.max}`);
    if (before && (s.value < before.value || s.max < before.max)) faults.push(`${s.kind}: ${before.value}/${before.max} then ${s.value}/${s.max}`);
    last[s.kind] = { value: s.value, max: s.max };
  }
  return { samples: samples.length, faults, last };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
