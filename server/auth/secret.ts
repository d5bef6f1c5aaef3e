import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The token-signing key, made once per data directory and kept private to this user — or, for
 * several server processes that must accept each other's tokens, `INVIGIL_SECRET` (64 hex digits,
 * the same for every process).
 */
export async function loadOrCreateSecret(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Uint8Array> {
  const given = env.INVIGIL_SECRET?.trim();
  if (given !== undefined && given !== '') {
    if (!/^[0-9a-fA-F]{64}$/.test(given)) throw new Error('INVIGIL_SECRET must be 64 hex digits (32 random bytes, e.g. `openssl rand -hex 32`)');
    return Buffer.from(given, 'hex');
  }
  const file = path.join(dataDir, 'token-secret.key');
  try {
    const hex = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  // 'wx' fails if another process made it first; then read theirs.
  try {
    await writeFile(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecret(dataDir);
    throw err;
  }
}
