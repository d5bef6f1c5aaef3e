import { fromBase64 } from '../core/base64.js';
import { useDb } from './db.js';
import { kvDelete, kvGet } from './kv.js';
import { StoredUploadCredentials } from '../core/stored-schema.js';
import { announce, onStoreChange } from './store-events.js';

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
  announce({ store: 'credentials' });
}

/**
 * The credentials as read once in this context and kept: an upload pass asks the disk for none of
 * them (each read would wait behind the recorder's commits). A save in any context clears it; an
 * owner not found, or `fresh`, reads the disk again (a save elsewhere may not be heard yet).
 */
let held: Promise<Awaited<ReturnType<typeof kvGet<'uploadCredentials'>>>> | null = null;
const forgetHeld = (c: { store: string }) => {
  if (c.store === 'credentials') held = null;
};
onStoreChange(forgetHeld, forgetHeld);

/** The credential of this owner, if the device holds one. */
export async function uploadCredentialFor(o: Owner, fresh = false): Promise<string | undefined> {
  await migrateLegacy();
  if (fresh) held = null;
  const read = (held ??= kvGet('uploadCredentials'));
  try {
    const token = (await read)?.[ownerKey(o)]?.token;
    if (token !== undefined || fresh) return token;
    return await uploadCredentialFor(o, true);
  } catch (err) {
    if (held === read) held = null;
    throw err;
  }
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
