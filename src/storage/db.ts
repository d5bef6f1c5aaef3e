import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { z } from 'zod';
import { StoredClock, StoredSession, StoredSnapshot, StoredUploadCredential } from '../core/stored-schema.js';

/** The only module that opens IndexedDB. Later versions add stores in `upgrade`. */
export const DB_NAME = 'invigil';
export const DB_VERSION = 1;

/** Small records kept by key; each key has its own schema. */
const KV = {
  deviceId: null,
  'session:candidate': StoredSession,
  'session:proctor': StoredSession,
  clock: StoredClock,
  'snapshot:candidate': StoredSnapshot,
  uploadCredential: StoredUploadCredential,
} as const;
type KvKey = keyof typeof KV;
type KvValue<K extends KvKey> = K extends 'deviceId' ? string : z.infer<NonNullable<(typeof KV)[K]>>;

interface InvigilDB extends DBSchema {
  kv: { key: KvKey; value: unknown };
}

let dbPromise: Promise<IDBPDatabase<InvigilDB>> | null = null;

export function getDb(): Promise<IDBPDatabase<InvigilDB>> {
  dbPromise ??= openDB<InvigilDB>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('kv');
    },
    blocking() {
      // A newer version of the app wants to upgrade: let it.
      void dbPromise?.then((db) => db.close());
      dbPromise = null;
    },
  });
  return dbPromise;
}

/** Closes the connection (tests delete the database afterwards). */
export async function closeDb(): Promise<void> {
  const db = await dbPromise;
  dbPromise = null;
  db?.close();
}

/** Reads a value; anything that no longer matches its schema reads as absent. */
export async function kvGet<K extends KvKey>(key: K): Promise<KvValue<K> | undefined> {
  const raw = await (await getDb()).get('kv', key);
  if (raw === undefined) return undefined;
  const schema = KV[key];
  if (schema === null) return typeof raw === 'string' ? (raw as KvValue<K>) : undefined;
  const parsed = schema.safeParse(raw);
  return parsed.success ? (parsed.data as KvValue<K>) : undefined;
}

export async function kvSet<K extends KvKey>(key: K, value: KvValue<K>): Promise<void> {
  await (await getDb()).put('kv', value, key);
}

export async function kvDelete(key: KvKey): Promise<void> {
  await (await getDb()).delete('kv', key);
}

/** This device's id: made once, kept, sent with every login so a reload is not a second login. */
export async function deviceId(): Promise<string> {
  const db = await getDb();
  const tx = db.transaction('kv', 'readwrite');
  const existing = await tx.store.get('deviceId');
  if (typeof existing === 'string') {
    await tx.done;
    return existing;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
  await tx.store.put(id, 'deviceId');
  await tx.done;
  return id;
}
