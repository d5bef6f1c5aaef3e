import type { z } from 'zod';
import {
  StoredClock, StoredExamRecordings, StoredPhone, StoredFlow, StoredQuestions, StoredSession, StoredSnapshot, StoredSystemCheck, StoredUploadCredential,
  StoredUploadCredentials,
} from '../core/stored-schema.js';
import { useDb } from './db.js';

/** Small records kept by key; each key has its own schema. */
const KV = {
  deviceId: null,
  'session:candidate': StoredSession,
  'session:proctor': StoredSession,
  'session:phone': StoredSession,
  phone: StoredPhone,
  clock: StoredClock,
  'snapshot:candidate': StoredSnapshot,
  /** Before credentials were kept per candidate (read once, to migrate). */
  uploadCredential: StoredUploadCredential,
  uploadCredentials: StoredUploadCredentials,
  examRecordings: StoredExamRecordings,
  flow: StoredFlow,
  systemCheck: StoredSystemCheck,
  questions: StoredQuestions,
} as const;
type KvKey = keyof typeof KV;
type KvValue<K extends KvKey> = K extends 'deviceId' ? string : z.infer<NonNullable<(typeof KV)[K]>>;

/** Reads a value; anything that no longer matches its schema reads as absent. */
export async function kvGet<K extends KvKey>(key: K): Promise<KvValue<K> | undefined> {
  const raw = await useDb((db) => db.get('kv', key), 'read');
  if (raw === undefined) return undefined;
  const schema = KV[key];
  if (schema === null) return typeof raw === 'string' ? (raw as KvValue<K>) : undefined;
  const parsed = schema.safeParse(raw);
  return parsed.success ? (parsed.data as KvValue<K>) : undefined;
}

export async function kvSet<K extends KvKey>(key: K, value: KvValue<K>): Promise<void> {
  await useDb((db) => db.put('kv', value, key));
}

export async function kvDelete(key: KvKey): Promise<void> {
  await useDb((db) => db.delete('kv', key));
}

/** This device's id: made once, kept, sent with every login so a reload is not a second login. */
export async function deviceId(): Promise<string> {
  return useDb(async (db) => {
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
  });
}
