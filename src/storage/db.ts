import { openDB, unwrap, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { canWriteFile, ensureRoom, noteStorageFull, ROOM_BYTES, storageHeldFull, suspectFull, writeFailure, isStorageFull } from './space.js';

/**
 * The only module that opens IndexedDB (src/storage/* read and write through it). Stores hold
 * `unknown`: every value is validated by its schema when read back.
 */
export const DB_NAME = 'invigil';
export const DB_VERSION = 4;

export type ChunkKey = [recordingId: string, segment: number, seq: number];

export interface InvigilDB extends DBSchema {
  kv: { key: string; value: unknown };
  recordings: { key: string; value: unknown };
  chunks: { key: ChunkKey; value: unknown };
  /**
   * The chunks the server has not acknowledged (their size and digest, not their bytes): an
   * upload pass walks what is left to send, not the whole recording, and acknowledging one
   * never rewrites its bytes.
   */
  pending: { key: ChunkKey; value: unknown };
  /** Events and chat messages waiting to be posted, oldest first by their sequence number. */
  outbox: { key: number; value: unknown };
}

let dbPromise: Promise<IDBPDatabase<InvigilDB>> | null = null;
/** The version this code opens; none after another tab upgraded the database under it. */
let version: number | undefined = DB_VERSION;

export function getDb(): Promise<IDBPDatabase<InvigilDB>> {
  dbPromise ??= openDB<InvigilDB>(DB_NAME, version, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) db.createObjectStore('kv');
      if (oldVersion < 2) {
        db.createObjectStore('recordings', { keyPath: 'id' });
        db.createObjectStore('chunks', { keyPath: ['recordingId', 'segment', 'seq'] });
      }
      if (oldVersion < 3) db.createObjectStore('outbox', { autoIncrement: true });
      // Only IndexedDB requests are awaited inside, so the upgrade transaction stays open.
      if (oldVersion < 4) void listPendingChunks(db, tx).catch(() => tx.abort());
    },
    blocking() {
      // A newer version of the app wants to upgrade: let it, but only once what this tab is
      // writing has committed (closing aborts transactions in flight). Afterwards this tab
      // opens the database at whatever version it then has (upgrades only add).
      const closing = dbPromise;
      dbPromise = null;
      version = undefined;
      void closing?.then(async (db) => {
        await idle();
        db.close();
      });
    },
    terminated() {
      // The browser closed the connection (seen on a full disk): the next call opens a new one,
      // once a test write found room.
      dbPromise = null;
      suspectFull();
    },
  }).catch(async (err: unknown) => {
    // Opening fails while the disk is full ("Internal error opening backing store"): do not keep
    // the failure; and when there is no room, no call opens again until there is (space.ts).
    dbPromise = null;
    if (!(await canWriteFile(ROOM_BYTES))) noteStorageFull();
    throw err;
  });
  return dbPromise;
}

let inFlight = 0;
/** Calls made in this page or worker and the time they took, summed (benchmarks). */
export const dbStats = { count: 0, ms: 0 };
let whenIdle: (() => void)[] = [];
const idle = () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => whenIdle.push(r)));

/**
 * Runs `fn` with the database; when the browser has closed the connection under us (it does
 * after a disk error), runs it once more on a fresh connection. After a write failed for want of
 * space, neither a write nor opening a connection happens until there is room again: the call
 * throws StorageFullError instead (see space.ts). `read` says `fn` only reads.
 */
export async function useDb<T>(fn: (db: IDBPDatabase<InvigilDB>) => Promise<T>, access: 'read' | 'write' = 'write'): Promise<T> {
  inFlight++;
  const t0 = performance.now();
  const gate = () => (storageHeldFull() && (access === 'write' || dbPromise === null) ? ensureRoom() : undefined);
  try {
    try {
      await gate();
      return await fn(await getDb());
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'InvalidStateError')) throw await classified(err, access);
      dbPromise = null;
      suspectFull();
      await gate();
      return await fn(await getDb()).catch(async (again: unknown) => { throw await classified(again, access); });
    }
  } finally {
    dbStats.count++;
    dbStats.ms += performance.now() - t0;
    if (--inFlight === 0) {
      const waiting = whenIdle;
      whenIdle = [];
      waiting.forEach((r) => r());
    }
  }
}

/** A write that failed for want of space becomes StorageFullError (and holds the database shut); any other error is left as it is. */
async function classified(err: unknown, access: 'read' | 'write'): Promise<unknown> {
  if (access === 'read' || !(err instanceof DOMException)) return err;
  const failure = await writeFailure(err);
  return isStorageFull(failure) ? failure : err;
}

type Stores = ('kv' | 'recordings' | 'chunks' | 'outbox' | 'pending')[];

/** v4: the chunks not yet acknowledged listed in `pending`; recordings get their acknowledged bytes. */
async function listPendingChunks(db: IDBPDatabase<InvigilDB>, tx: IDBPTransaction<InvigilDB, Stores, 'versionchange'>): Promise<void> {
  const chunks = tx.objectStore('chunks');
  // The old index by recording (v2) went unused: the chunks' own key orders them by recording.
  const raw = unwrap(chunks);
  if (raw.indexNames.contains('byRecording')) raw.deleteIndex('byRecording');
  const pending = db.createObjectStore('pending', { keyPath: ['recordingId', 'segment', 'seq'] });
  const acked = new Map<string, number>();
  for (let c = await chunks.openCursor(); c; c = await c.continue()) {
    const v = c.value as { recordingId: string; segment: number; seq: number; size: number; sha256: string; uploaded?: boolean };
    if (v.uploaded) acked.set(v.recordingId, (acked.get(v.recordingId) ?? 0) + v.size);
    else await pending.put({ recordingId: v.recordingId, segment: v.segment, seq: v.seq, size: v.size, sha256: v.sha256 });
  }
  const recordings = tx.objectStore('recordings');
  for (let c = await recordings.openCursor(); c; c = await c.continue()) {
    const v = c.value as { id: string };
    await c.update({ ...v, uploadedBytes: acked.get(v.id) ?? 0 });
  }
}

/** Closes the connection (tests delete the database afterwards). */
export async function closeDb(): Promise<void> {
  const db = await dbPromise;
  dbPromise = null;
  db?.close();
}

