import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { migrations } from './migrations.js';
import { DB_FILE } from '../data-dir.js';

export type Db = Kysely<Database>;

/** Opens (creating if needed) the embedded SQLite database under `dataDir` and migrates it. */
export async function openDb(dataDir: string): Promise<Db> {
  const sqlite = new SQLite(path.join(dataDir, DB_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  // Deleted rows (clear ticket codes sealed, data past retention) are overwritten, not left in free pages.
  sqlite.pragma('secure_delete = ON');
  // BIGINT columns hold epoch ms; read them back as numbers, not strings.
  sqlite.defaultSafeIntegers(false);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error('database migration failed', { cause: error });
  }
  return db;
}
