import { z } from 'zod';
import { LocalRecording } from '../core/stored-schema.js';
import { useDb, type ChunkKey } from './db.js';
import type { IDBPDatabase } from 'idb';
import type { InvigilDB } from './db.js';

/** One recorded chunk as kept on the device until the server has verified its recording. */
const LocalChunk = z.object({
  recordingId: z.string(),
  segment: z.number().int(),
  seq: z.number().int(),
  blob: z.instanceof(Blob),
  size: z.number().int(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The server acknowledged it (digest checked). Not yet a reason to delete it. */
  uploaded: z.boolean(),
});
export type LocalChunk = z.infer<typeof LocalChunk>;

/** Thrown when storage is full; the recorder lowers its bitrate and keeps what is stored. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
}

/** Also true across the worker boundary, where comlink keeps an error's name but not its class. */
export function isStorageFull(err: unknown): boolean {
  return err instanceof Error && err.name === 'StorageFullError';
}

/**
 * How a full disk shows: QuotaExceededError at the quota, an aborted transaction, or (measured
 * on a full filesystem) "DataError: Failed to write blobs (IOError)".
 */
const DISK_ERRORS = new Set(['QuotaExceededError', 'AbortError', 'DataError', 'UnknownError']);

const readRecording = (raw: unknown) => {
  const parsed = LocalRecording.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
};

export function getRecording(id: string): Promise<LocalRecording | undefined> {
  return useDb(async (db) => readRecording(await db.get('recordings', id)));
}

export function listRecordings(): Promise<LocalRecording[]> {
  return useDb(async (db) => (await db.getAll('recordings')).map(readRecording).filter((r): r is LocalRecording => r !== undefined));
}

/** Creates the recording unless it exists (a reload reuses it). */
export function ensureRecording(rec: LocalRecording): Promise<LocalRecording> {
  return useDb(async (db) => {
    const tx = db.transaction('recordings', 'readwrite', { durability: 'strict' });
    const existing = readRecording(await tx.store.get(rec.id));
    if (!existing) await tx.store.put(rec);
    await tx.done;
    return existing ?? rec;
  });
}

/** Starts the next segment of a recording (one per recorder run) and returns its number. */
export async function openSegment(id: string, startedAt: number, mimeType: string): Promise<number> {
  return updateRecording(id, (rec) => {
    const segment = rec.segments.length;
    return [{ ...rec, state: 'recording', segments: [...rec.segments, { segment, startedAt, mimeType, chunks: 0 }] }, segment];
  });
}

/**
 * Stores one chunk and the recording's new chain head in one strict transaction, so a chunk
 * never counts as recorded before it is on disk, and the head always matches what is stored.
 */
export function appendChunk(chunk: Omit<LocalChunk, 'uploaded'>, prevHead: string, newHead: string): Promise<void> {
  return useDb((db) => appendWith(db, chunk, prevHead, newHead));
}

async function appendWith(db: IDBPDatabase<InvigilDB>, chunk: Omit<LocalChunk, 'uploaded'>, prevHead: string, newHead: string): Promise<void> {
  const tx = db.transaction(['recordings', 'chunks'], 'readwrite', { durability: 'strict' });
  try {
    const rec = readRecording(await tx.objectStore('recordings').get(chunk.recordingId));
    const seg = rec?.segments[chunk.segment];
    if (!rec || !seg) throw new Error(`no segment ${chunk.segment} in recording ${chunk.recordingId}`);
    if (rec.chainHead !== prevHead || seg.chunks !== chunk.seq) throw new Error('chunk out of order');
    // A stopped recording's chain is final, and an older segment is closed once a newer one opened:
    // a late chunk (e.g. from a closed tab's worker) must not join it.
    if (rec.state !== 'recording' || chunk.segment !== rec.segments.length - 1) throw new Error('chunk after its segment was closed');
    const segments = rec.segments.map((s) => (s.segment === chunk.segment ? { ...s, chunks: s.chunks + 1 } : s));
    await tx.objectStore('chunks').put({ ...chunk, uploaded: false });
    await tx.objectStore('recordings').put({ ...rec, segments, chainHead: newHead, bytes: rec.bytes + chunk.size });
    await tx.done;
  } catch (err) {
    if (err instanceof DOMException && DISK_ERRORS.has(err.name)) throw new StorageFullError(`${err.name}: ${err.message}`);
    throw err;
  }
}

export function getChunk(key: ChunkKey): Promise<LocalChunk | undefined> {
  return useDb(async (db) => {
    const parsed = LocalChunk.safeParse(await db.get('chunks', key));
    return parsed.success ? parsed.data : undefined;
  });
}

/** Every stored chunk of a recording, in (segment, seq) order, without their bytes. */
export function chunkIndex(id: string): Promise<Omit<LocalChunk, 'blob'>[]> {
  return useDb((db) => chunkIndexWith(db, id));
}

async function chunkIndexWith(db: IDBPDatabase<InvigilDB>, id: string): Promise<Omit<LocalChunk, 'blob'>[]> {
  const range = IDBKeyRange.bound([id, 0, 0], [id, Infinity, Infinity]);
  const out: Omit<LocalChunk, 'blob'>[] = [];
  let cursor = await db.transaction('chunks').store.openCursor(range);
  while (cursor) {
    const parsed = LocalChunk.safeParse(cursor.value);
    if (parsed.success) {
      const { recordingId, segment, seq, size, sha256, uploaded } = parsed.data;
      out.push({ recordingId, segment, seq, size, sha256, uploaded });
    }
    cursor = await cursor.continue();
  }
  return out;
}

export function markUploaded(key: ChunkKey): Promise<void> {
  return useDb(async (db) => {
    const tx = db.transaction('chunks', 'readwrite', { durability: 'strict' });
    const parsed = LocalChunk.safeParse(await tx.store.get(key));
    if (parsed.success && !parsed.data.uploaded) await tx.store.put({ ...parsed.data, uploaded: true });
    await tx.done;
  });
}

/** The exam is over for this recording: no more segments; it may be verified and cleared. */
export async function markStopped(id: string): Promise<void> {
  await updateRecording(id, (rec) => [{ ...rec, state: rec.state === 'verified' ? 'verified' : 'stopped' }, undefined]);
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
  const tx = db.transaction(['recordings', 'chunks'], 'readwrite', { durability: 'strict' });
  const rec = readRecording(await tx.objectStore('recordings').get(id));
  if (!rec || rec.state !== 'stopped') throw new Error('only a stopped recording can be verified and cleared');
  await tx.objectStore('chunks').delete(IDBKeyRange.bound([id, 0, 0], [id, Infinity, Infinity]));
  await tx.objectStore('recordings').put({ ...rec, state: 'verified', verifiedAt, problem: null });
  await tx.done;
}

function updateRecording<T>(id: string, change: (rec: LocalRecording) => [LocalRecording, T]): Promise<T> {
  return useDb(async (db) => {
    const tx = db.transaction('recordings', 'readwrite', { durability: 'strict' });
    const rec = readRecording(await tx.store.get(id));
    if (!rec) throw new Error(`no recording ${id}`);
    const [next, result] = change(rec);
    await tx.store.put(next);
    await tx.done;
    return result;
  });
}
