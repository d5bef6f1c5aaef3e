import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/**
 * The only module that opens IndexedDB (src/storage/* read and write through it). Stores hold
 * `unknown`: every value is validated by its schema when read back.
 */
export const DB_NAME = 'invigil';
export const DB_VERSION = 3;

export type ChunkKey = [recordingId: string, segment: number, seq: number];

export interface InvigilDB extends DBSchema {
  kv: { key: string; value: unknown };
  recordings: { key: string; value: unknown };
  chunks: { key: ChunkKey; value: unknown; indexes: { byRecording: string } };
  /** Events and chat messages waiting to be posted, oldest first by their sequence number. */
  outbox: { key: number; value: unknown };
}

let dbPromise: Promise<IDBPDatabase<InvigilDB>> | null = null;

export function getDb(): Promise<IDBPDatabase<InvigilDB>> {
  dbPromise ??= openDB<InvigilDB>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('kv');
      if (oldVersion < 2) {
        db.createObjectStore('recordings', { keyPath: 'id' });
        db.createObjectStore('chunks', { keyPath: ['recordingId', 'segment', 'seq'] }).createIndex('byRecording', 'recordingId');
      }
      if (oldVersion < 3) db.createObjectStore('outbox', { autoIncrement: true });
    },
    blocking() {
      // A newer version of the app wants to upgrade: let it.
      void dbPromise?.then((db) => db.close());
      dbPromise = null;
    },
    terminated() {
      // The browser closed the connection (seen on a full disk): the next call opens a new one.
      dbPromise = null;
    },
  }).catch((err: unknown) => {
    // Opening fails while the disk is full ("Internal error opening backing store"): do not keep
    // the failure — the next call tries again, and succeeds once there is room.
    dbPromise = null;
    throw err;
  });
  return dbPromise;
}

/**
 * Runs `fn` with the database; when the browser has closed the connection under us (it does
 * after a disk error), runs it once more on a fresh connection.
 */
export async function useDb<T>(fn: (db: IDBPDatabase<InvigilDB>) => Promise<T>): Promise<T> {
  try {
    return await fn(await getDb());
  } catch (err) {
    if (!(err instanceof DOMException && err.name === 'InvalidStateError')) throw err;
    dbPromise = null;
    return fn(await getDb());
  }
}

/** Closes the connection (tests delete the database afterwards). */
export async function closeDb(): Promise<void> {
  const db = await dbPromise;
  dbPromise = null;
  db?.close();
}

