import { z } from 'zod';
import { LocalRecording } from '../core/stored-schema.js';
import { useDb, type ChunkKey } from './db.js';
import { announce } from './store-events.js';
import { writeFailure } from './space.js';
import type { IDBPDatabase, IDBPObjectStore } from 'idb';
import type { InvigilDB } from './db.js';

/** One recorded chunk as kept on the device until the server has verified its recording. */
const LocalChunk = z.object({
  recordingId: z.string(),
  segment: z.number().int(),
  seq: z.number().int(),
  blob: z.instanceof(Blob),
  size: z.number().int(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type LocalChunk = z.infer<typeof LocalChunk>;

/** A chunk the server has not acknowledged yet: its size and digest (the `pending` store). */
const PendingChunk = LocalChunk.omit({ blob: true });
export type ChunkMeta = z.infer<typeof PendingChunk>;
const metaOf = ({ recordingId, segment, seq, size, sha256 }: ChunkMeta): ChunkMeta => ({ recordingId, segment, seq, size, sha256 });

export { StorageFullError, isStorageFull, StorageWriteError, isWriteError } from './space.js';

const readRecording = (raw: unknown) => {
  const parsed = LocalRecording.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
};

/** One small write and its removal, committed strictly: storage works here (before entry). */
export function probeStorage(): Promise<void> {
  return useDb(async (db) => {
    const tx = db.transaction('kv', 'readwrite', { durability: 'strict' });
    await tx.store.put(Date.now(), 'probe');
    await tx.store.delete('probe');
    await tx.done;
  });
}

export function getRecording(id: string): Promise<LocalRecording | undefined> {
  return useDb(async (db) => readRecording(await db.get('recordings', id)), 'read');
}

export function listRecordings(): Promise<LocalRecording[]> {
  return useDb(async (db) => (await db.getAll('recordings')).map(readRecording).filter((r): r is LocalRecording => r !== undefined), 'read');
}

/** What an upload pass needs to know first, in one read: the recordings, how many chunks each has waiting, whether the outbox holds anything. */
export interface DeviceSnapshot { recordings: LocalRecording[]; pending: Map<string, number>; outbox: number }

export function deviceSnapshot(): Promise<DeviceSnapshot> {
  return useDb(async (db) => {
    const tx = db.transaction(['recordings', 'pending', 'outbox']);
    const [raw, keys, outbox] = await Promise.all([tx.objectStore('recordings').getAll(), tx.objectStore('pending').getAllKeys(), tx.objectStore('outbox').count()]);
    const pending = new Map<string, number>();
    for (const [id] of keys) pending.set(id, (pending.get(id) ?? 0) + 1);
    return { recordings: raw.map(readRecording).filter((r): r is LocalRecording => r !== undefined), pending, outbox };
  }, 'read');
}

/** Creates the recording unless it exists (a reload reuses it). */
export function ensureRecording(rec: LocalRecording): Promise<LocalRecording> {
  return useDb(async (db) => {
    const tx = db.transaction('recordings', 'readwrite', { durability: 'strict' });
    const existing = readRecording(await tx.store.get(rec.id));
    if (!existing) await tx.store.put(rec);
    await tx.done;
    if (!existing) announce({ store: 'recordings', id: rec.id, change: 'other' });
    return existing ?? rec;
  });
}

/** Starts the next segment of a recording (one per recorder run) and returns its number. */
export async function openSegment(id: string, startedAt: number, mimeType: string, videoBitsPerSecond?: number): Promise<number> {
  return updateRecording(id, (rec) => {
    const segment = rec.segments.length;
    const next = { segment, startedAt, mimeType, chunks: 0, ...(videoBitsPerSecond ? { videoBitsPerSecond } : {}) };
    return [{ ...rec, state: 'recording', segments: [...rec.segments, next] }, segment];
  });
}

/**
 * Stores one chunk and the recording's new chain head in one strict transaction, so a chunk
 * never counts as recorded before it is on disk, and the head always matches what is stored.
 */
export function appendChunk(chunk: LocalChunk, prevHead: string, newHead: string): Promise<void> {
  return useDb((db) => appendWith(db, chunk, prevHead, newHead));
}

async function appendWith(db: IDBPDatabase<InvigilDB>, chunk: LocalChunk, prevHead: string, newHead: string): Promise<void> {
  const tx = db.transaction(['recordings', 'chunks', 'pending'], 'readwrite', { durability: 'strict' });
  try {
    const rec = readRecording(await tx.objectStore('recordings').get(chunk.recordingId));
    const seg = rec?.segments[chunk.segment];
    if (!rec || !seg) throw new Error(`no segment ${chunk.segment} in recording ${chunk.recordingId}`);
    if (rec.chainHead !== prevHead || seg.chunks !== chunk.seq) throw new Error('chunk out of order');
    // A stopped recording's chain is final, and an older segment is closed once a newer one opened:
    // a late chunk (e.g. from a closed tab's worker) must not join it.
    if (rec.state !== 'recording' || chunk.segment !== rec.segments.length - 1) throw new Error('chunk after its segment was closed');
    const segments = rec.segments.map((s) => (s.segment === chunk.segment ? { ...s, chunks: s.chunks + 1 } : s));
    const next = { ...rec, segments, chainHead: newHead, bytes: rec.bytes + chunk.size };
    await tx.objectStore('chunks').put(chunk);
    await tx.objectStore('pending').put(metaOf(chunk));
    await tx.objectStore('recordings').put(next);
    await tx.done;
    announce({ store: 'recordings', id: rec.id, change: 'append', chunk, rec: next });
  } catch (err) {
    // The transaction's own error says why it aborted (QuotaExceededError under an AbortError).
    const cause = err instanceof DOMException && err.name === 'AbortError' && tx.error ? tx.error : err;
    if (cause instanceof DOMException) throw await writeFailure(cause);
    throw err;
  }
}

export function getChunk(key: ChunkKey): Promise<LocalChunk | undefined> {
  return useDb(async (db) => {
    const parsed = LocalChunk.safeParse(await db.get('chunks', key));
    return parsed.success ? parsed.data : undefined;
  }, 'read');
}

const range = (id: string) => IDBKeyRange.bound([id, 0, 0], [id, Infinity, Infinity]);

/** Every stored chunk of a recording (acknowledged or not), in order: for tests and tools, O(recording). */
export function allChunks(id: string): Promise<(ChunkMeta & { uploaded: boolean })[]> {
  return useDb(async (db) => {
    const tx = db.transaction(['chunks', 'pending']);
    const waiting = new Set((await tx.objectStore('pending').getAllKeys(range(id))).map((k) => k.join('/')));
    const out: (ChunkMeta & { uploaded: boolean })[] = [];
    for (let c = await tx.objectStore('chunks').openCursor(range(id)); c; c = await c.continue()) {
      const parsed = LocalChunk.safeParse(c.value);
      if (!parsed.success) continue;
      const meta = metaOf(parsed.data);
      out.push({ ...meta, uploaded: !waiting.has(`${meta.recordingId}/${meta.segment}/${meta.seq}`) });
    }
    return out;
  }, 'read');
}

/**
 * The server acknowledged these chunks (of one recording): off the pending list, their bytes
 * counted as uploaded, in one transaction; the recording as it now stands is returned (the
 * uploader needs no read of its own). A relaxed commit (no flush to disk): lost in a crash, a
 * chunk is only offered again, and the server answers "held" — a strict flush per chunk would
 * cost ≈ 40 ms each.
 */
export function markUploaded(keys: readonly ChunkKey[]): Promise<LocalRecording | undefined> {
  const id = keys[0]?.[0];
  if (id === undefined) return Promise.resolve(undefined);
  if (keys.some((k) => k[0] !== id)) throw new Error('markUploaded: chunks of one recording at a time');
  return useDb(async (db) => {
    const tx = db.transaction(['recordings', 'pending'], 'readwrite');
    const pending = tx.objectStore('pending');
    const held = await Promise.all(keys.map(async (key) => [key, PendingChunk.safeParse(await pending.get(key))] as const));
    let added = 0;
    const deletes: Promise<void>[] = [];
    for (const [key, parsed] of held) {
      if (!parsed.success) continue;
      added += parsed.data.size;
      deletes.push(pending.delete(key));
    }
    await Promise.all(deletes);
    let rec = readRecording(await tx.objectStore('recordings').get(id));
    if (rec && added > 0) {
      rec = { ...rec, uploadedBytes: rec.uploadedBytes + added };
      await tx.objectStore('recordings').put(rec);
    }
    await tx.done;
    return rec;
  });
}

/** A recording and the next of its chunks the server has not acknowledged, with their bytes. */
export interface PendingBatch { rec: LocalRecording | undefined; chunks: LocalChunk[]; last: ChunkKey | undefined }

/**
 * In one read: the recording and (up to `limit` of) its unacknowledged chunks after `after` (their
 * blobs too), in (segment, seq) order — from the `pending` store, so the cost is what is left to
 * send, not the length of the exam.
 */
export function pendingBatch(id: string, limit?: number, after?: ChunkKey): Promise<PendingBatch> {
  return useDb(async (db) => {
    const tx = db.transaction(['recordings', 'chunks', 'pending']);
    const rec = readRecording(await tx.objectStore('recordings').get(id));
    const from = after ? IDBKeyRange.bound(after, [id, Infinity, Infinity], true) : range(id);
    const keys = await tx.objectStore('pending').getAllKeys(from, limit);
    const raw = await Promise.all(keys.map((k) => tx.objectStore('chunks').get(k)));
    const chunks = raw.flatMap((c) => {
      const parsed = LocalChunk.safeParse(c);
      return parsed.success ? [parsed.data] : [];
    });
    return { rec, chunks, last: keys.at(-1) };
  }, 'read');
}

/** The server lost these (completion said so): pending again, to be sent once more. */
export function markPending(keys: ChunkKey[]): Promise<void> {
  return useDb(async (db) => {
    const tx = db.transaction(['recordings', 'chunks', 'pending'], 'readwrite');
    for (const key of keys) {
      if (await tx.objectStore('pending').get(key)) continue;
      const parsed = LocalChunk.safeParse(await tx.objectStore('chunks').get(key));
      if (!parsed.success) continue;
      const meta = metaOf(parsed.data);
      await tx.objectStore('pending').put(meta);
      await addUploaded(tx.objectStore('recordings'), key[0], -meta.size);
    }
    await tx.done;
    for (const id of new Set(keys.map((k) => k[0]))) announce({ store: 'recordings', id, change: 'other' });
  });
}

async function addUploaded(store: IDBPObjectStore<InvigilDB, ('recordings' | 'chunks' | 'pending')[], 'recordings', 'readwrite'>, id: string, delta: number): Promise<void> {
  const rec = readRecording(await store.get(id));
  if (rec) await store.put({ ...rec, uploadedBytes: Math.max(0, rec.uploadedBytes + delta) });
}

/** The exam is over for this recording: no more segments; it may be verified and cleared. */
export async function markStopped(id: string): Promise<void> {
  await updateRecording(id, (rec) => [{ ...rec, state: rec.state === 'verified' ? 'verified' : 'stopped' }, undefined]);
}

/** A new sign-in gave this candidate a working credential: problems it caused are tried again. */
export async function clearProblems(owner: { examId: string; candidateId: string }, startingWith: string): Promise<void> {
  for (const rec of await listRecordings()) {
    if (rec.examId === owner.examId && rec.candidateId === owner.candidateId && rec.problem?.startsWith(startingWith)) await setProblem(rec.id, null);
  }
}

export async function setProblem(id: string, problem: string | null): Promise<void> {
  await updateRecording(id, (rec) => [{ ...rec, problem }, undefined]);
}

/**
 * The server verified the whole recording. Only a stopped recording is cleared: the chunks are
 * deleted and the recording stays as a receipt (invariant 1; R10).
 */
export function markVerified(id: string, verifiedAt: number): Promise<void> {
  return useDb((db) => markVerifiedWith(db, id, verifiedAt));
}

async function markVerifiedWith(db: IDBPDatabase<InvigilDB>, id: string, verifiedAt: number): Promise<void> {
  const tx = db.transaction(['recordings', 'chunks', 'pending'], 'readwrite', { durability: 'strict' });
  const rec = readRecording(await tx.objectStore('recordings').get(id));
  if (!rec || rec.state !== 'stopped') throw new Error('only a stopped recording can be verified and cleared');
  await tx.objectStore('chunks').delete(range(id));
  await tx.objectStore('pending').delete(range(id));
  await tx.objectStore('recordings').put({ ...rec, state: 'verified', verifiedAt, problem: null });
  await tx.done;
  announce({ store: 'recordings', id, change: 'other' });
}

function updateRecording<T>(id: string, change: (rec: LocalRecording) => [LocalRecording, T]): Promise<T> {
  return useDb(async (db) => {
    const tx = db.transaction('recordings', 'readwrite', { durability: 'strict' });
    const rec = readRecording(await tx.store.get(id));
    if (!rec) throw new Error(`no recording ${id}`);
    const [next, result] = change(rec);
    await tx.store.put(next);
    await tx.done;
    announce({ store: 'recordings', id, change: 'other' });
    return result;
  });
}
