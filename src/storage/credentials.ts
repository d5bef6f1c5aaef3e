import { fromBase64 } from '../core/base64.js';
import { useDb } from './db.js';
import { kvDelete, kvGet } from './kv.js';
import { StoredUploadCredentials } from '../core/stored-schema.js';

/** Whose evidence: every recording, outbox item and login capture names its exam and candidate. */
export interface Owner { examId: string; candidateId: string }
export const ownerKey = (o: Owner) => `${o.examId}/${o.candidateId}`;

export interface UploadCredential extends Owner { token: string; expiresAt: number }

/** Keeps a candidate's device upload credential beside the others this device holds. */
export async function saveUploadCredential(c: UploadCredential): Promise<void> {
  await useDb(async (db) => {
    const tx = db.transaction('kv', 'readwrite', { durability: 'strict' });
    const parsed = StoredUploadCredentials.safeParse(await tx.store.get('uploadCredentials'));
    const all = parsed.success ? parsed.data : {};
    all[ownerKey(c)] = { examId: c.examId, candidateId: c.candidateId, token: c.token, expiresAt: c.expiresAt };
    await tx.store.put(all, 'uploadCredentials');
    await tx.done;
  });
}

/** The credential of this owner, if the device holds one. */
export async function uploadCredentialFor(o: Owner): Promise<string | undefined> {
  await migrateLegacy();
  return (await kvGet('uploadCredentials'))?.[ownerKey(o)]?.token;
}

let migrated: Promise<void> | null = null;

/** The single device-wide credential of older versions belongs to the candidate it names. */
function migrateLegacy(): Promise<void> {
  migrated ??= (async () => {
    const legacy = await kvGet('uploadCredential');
    if (!legacy) return;
    const sub = claimOf(legacy.token, 'sub');
    if (sub) await saveUploadCredential({ examId: legacy.examId, candidateId: sub, token: legacy.token, expiresAt: legacy.expiresAt });
    await kvDelete('uploadCredential');
  })().catch(() => {
    migrated = null;
  });
  return migrated;
}

/** A claim of a JWT's payload, read without verifying (the server verifies). */
function claimOf(token: string, claim: string): string | null {
  const part = token.split('.')[1];
  if (!part) return null;
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = fromBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  if (!bytes) return null;
  try {
    const value = (JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>)[claim];
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
