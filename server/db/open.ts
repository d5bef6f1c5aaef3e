import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Dialect, type MigrationProvider, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';
import { migrations } from './migrations.js';
import { DB_FILE } from '../data-dir.js';

export type Db = Kysely<Database>;

/**
 * Opens the database and migrates it: PostgreSQL when `DATABASE_URL` (postgres://…) is set — the
 * state every server process shares — else the embedded SQLite file under `dataDir`.
 */
export async function openDb(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Db> {
  const url = env.DATABASE_URL;
  const dialect = url ? await postgresDialect(url, env) : sqliteDialect(dataDir);
  const db = new Kysely<Database>({ dialect });
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  const { error } = await new Migrator({ db, provider }).migrateToLatest().catch((err: unknown) => ({ error: err }));
  if (error) {
    await db.destroy();
    throw new Error(url ? `database migration failed on ${redact(url)}` : 'database migration failed', { cause: error });
  }
  return db;
}

/** Where the database is, for the start line (no password). */
export function describeDb(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL ? `PostgreSQL ${redact(env.DATABASE_URL)}` : `SQLite ${path.join(dataDir, DB_FILE)}`;
}

function sqliteDialect(dataDir: string): Dialect {
  const sqlite = new SQLite(path.join(dataDir, DB_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  // Every commit reaches the disk before it is answered (SQLite's default in WAL mode, said here
  // because lazyCommit in engine.ts relaxes it for one kind of row and sets it back).
  sqlite.pragma('synchronous = FULL');
  // Deleted rows (clear ticket codes sealed, data past retention) are overwritten, not left in free pages.
  sqlite.pragma('secure_delete = ON');
  // BIGINT columns hold epoch ms; read them back as numbers, not strings.
  sqlite.defaultSafeIntegers(false);
  return new SqliteDialect({ database: reusingStatements(sqlite) });
}

/** Statements kept for reuse (our queries are a few dozen shapes; the bound is a guard). */
const STATEMENT_CACHE = 500;

/**
 * Kysely's SQLite driver prepares every query afresh (≈ 3.5 % of a loaded server's time, eight
 * statements per chunk): the same SQL gets the same prepared statement. better-sqlite3 runs each
 * synchronously, so one statement is never in use twice at once (nothing here streams rows).
 */
function reusingStatements(db: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= STATEMENT_CACHE) cache.clear();
        stmt = db.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

async function postgresDialect(url: string, env: NodeJS.ProcessEnv): Promise<Dialect> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`DATABASE_URL must be a postgres:// URL (got ${redact(url)})`);
  // Loaded only when asked for: the embedded default needs no PostgreSQL client.
  const { default: pg } = await import('pg');
  const { PostgresDialect } = await import('kysely');
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(env.DATABASE_POOL ?? 10),
    types: { getTypeParser: numbersAsSqliteGivesThem(pg.types) },
  });
  // A dropped connection is replaced by the pool; without a listener its error would end the process.
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
}

/**
 * BIGINT (epoch ms, counts) and NUMERIC (a sum of bigints) read as numbers, as SQLite gives them:
 * every value we keep is below 2^53.
 */
function numbersAsSqliteGivesThem(types: typeof import('pg').types): typeof import('pg').types.getTypeParser {
  const numeric = new Set<number>([types.builtins.INT8, types.builtins.NUMERIC]);
  const parser = (oid: number, format?: 'text' | 'binary'): unknown =>
    // pg declares the oid as `number | TypeId`; a plain number is what it is called with.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    (numeric.has(oid) ? Number : types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text'));
  return parser as typeof types.getTypeParser;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
