/// <reference lib="webworker" />
import '../src/core/zod-jitless.js';
import * as Comlink from 'comlink';
import { genesis, link, toHex, fromHex } from '../src/core/hash-chain.js';
import type { NewRecording, PersistResult, RecorderWorkerApi } from './recorder-api.js';
import { deviceUploadDeps, syncAll } from '../src/net/sync-all.js';
import type { UploadDeps } from '../src/net/upload-api.js';
import { requestStats } from '../src/net/http.js';
import { dbStats } from '../src/storage/db.js';
import { canWriteFile } from '../src/storage/space.js';
import { appendChunk, ensureRecording, getRecording, markStopped, openSegment, probeStorage, isWriteError } from '../src/storage/recording-store.js';

const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));

/** Per recording, calls run one after another: the chain needs chunks in order. */
const queues = new Map<string, Promise<unknown>>();
function serial<T>(id: string, task: () => Promise<T>): Promise<T> {
  const next = (queues.get(id) ?? Promise.resolve()).then(task, task);
  queues.set(id, next.catch(() => undefined));
  return next;
}

/** A failed write that is not a full disk (an aborted transaction, an I/O error) is tried again. */
const WRITE_ATTEMPTS = 3;
/** This worker records: it keeps a live recording's upload lock between its passes (src/net/uploader.ts). */
const workerUploadDeps: UploadDeps = { ...deviceUploadDeps, keepLiveLock: true };

const api: RecorderWorkerApi = {
  async check() {
    await probeStorage();
    await canWriteFile(64 * 1024);
    const est = await navigator.storage.estimate().catch(() => null);
    return { quota: est?.quota ?? null, usage: est?.usage ?? null };
  },

  openSegment(rec: NewRecording, startedAt: number, videoBitsPerSecond?: number) {
    return serial(rec.id, async () => {
      await ensureRecording({
        ...rec, createdAt: startedAt, state: 'recording', segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null,
        chainHead: toHex(await genesis(sha256, rec.id)),
      });
      return openSegment(rec.id, startedAt, rec.mimeType, videoBitsPerSecond);
    });
  },

  persist(recordingId: string, segment: number, seq: number, blob: Blob): Promise<PersistResult> {
    const t0 = performance.now();
    return serial(recordingId, async () => {
      const rec = await getRecording(recordingId);
      if (!rec) throw new Error(`no recording ${recordingId}`);
      const digest = await sha256(new Uint8Array(await blob.arrayBuffer()));
      const head = toHex(await link(sha256, fromHex(rec.chainHead), { segment, seq, digest }));
      for (let attempt = 1; ; attempt++) {
        try {
          await appendChunk({ recordingId, segment, seq, blob, size: blob.size, sha256: toHex(digest) }, rec.chainHead, head);
          break;
        } catch (err) {
          if (!isWriteError(err) || attempt >= WRITE_ATTEMPTS) throw err;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
      return { sha256: toHex(digest), chainHead: head, persistMs: performance.now() - t0 };
    });
  },

  stop(recordingId: string) {
    return serial(recordingId, () => markStopped(recordingId));
  },

  async sync(full?: boolean, outboxKey?: number) {
    const t0 = performance.now();
    const before = { ...requestStats };
    const db0 = { ...dbStats };
    const outcomes = [...(await syncAll(workerUploadDeps, { full: full === true, ...(outboxKey === undefined ? {} : { outboxKey }) }))];
    return {
      outcomes, requests: requestStats.count - before.count, waitMs: requestStats.waitMs - before.waitMs, handOffMs: requestStats.handOffMs - before.handOffMs,
      dbCalls: dbStats.count - db0.count, dbMs: dbStats.ms - db0.ms, workerMs: performance.now() - t0,
    };
  },
};

Comlink.expose(api);
