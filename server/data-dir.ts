import { chmod, mkdir, open } from 'node:fs/promises';
import path from 'node:path';

/** The SQLite database file under DATA_DIR. */
export const DB_FILE = 'invigil.sqlite';

/**
 * DATA_DIR holds photos, recordings, ticket-code hashes and the token key: only the server's
 * user may read it, whatever the umask — the directory 0700 (tightened if it exists), the
 * database created 0600 before SQLite opens it (SQLite gives its -wal and -shm the same mode).
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  for (const name of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) {
    const file = path.join(dataDir, name);
    if (name === DB_FILE) await (await open(file, 'a', 0o600)).close();
    await chmod(file, 0o600).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
  }
}
