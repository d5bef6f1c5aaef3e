import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely, type QueryExecutorProvider, type Transaction } from 'kysely';

/**
 * Where the two database engines differ, in one place. SQLite (embedded, one file) runs every
 * transaction on its one connection, one after another; PostgreSQL runs them side by side on a
 * pool, so a read-then-write decision (a lottery number, the one active login) must hold a lock.
 */
export type Engine = 'sqlite' | 'postgres';

export function engineOf(db: QueryExecutorProvider): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Inside a transaction: waits until no other transaction holds `key`, and holds it until this one
 * ends (PostgreSQL: a transaction-scoped advisory lock on the key's 64-bit hash). On SQLite the
 * transaction already runs alone.
 */
export async function lockFor(trx: QueryExecutorProvider, key: string): Promise<void> {
  if (engineOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

/** A floating-point column: SQLite's REAL is 8 bytes; PostgreSQL's `real` is 4, so double precision there. */
export const floatType = (db: QueryExecutorProvider) => (engineOf(db) === 'postgres' ? 'double precision' : 'real') as 'real';

/**
 * A numbered primary key column, as each engine writes it: `serial` on PostgreSQL, INTEGER PRIMARY
 * KEY AUTOINCREMENT on SQLite (the SQL SQLite ran for released migrations is unchanged).
 */
export function idColumn(db: QueryExecutorProvider): ['integer', (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return engineOf(db) === 'postgres'
    ? ['serial' as 'integer', (c) => c.primaryKey()]
    : ['integer', (c) => c.primaryKey().autoIncrement()];
}

/**
 * A transaction whose commit does not wait for the disk (SQLite: `synchronous = NORMAL` for it,
 * FULL again after; PostgreSQL: `synchronous_commit = off` for it). Only for rows the device
 * writes again if a power loss takes them: a chunk's row (the device keeps every chunk until its
 * recording is verified, and completion names a lost row as missing, which the device re-sends).
 * The next ordinary commit — a completion's among them — flushes the log up to itself, so it
 * makes every lazy commit before it durable too. On this machine a FULL commit costs ≈ 0.36 ms
 * of the server's one thread (an fsync inside better-sqlite3), a lazy one ≈ 0.03 ms.
 */
export async function lazyCommit<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (engineOf(db) === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql`set local synchronous_commit = off`.execute(trx);
      return fn(trx);
    });
  }
  return db.connection().execute(async (conn) => {
    await sql`pragma synchronous = normal`.execute(conn);
    try {
      return await conn.transaction().execute(fn);
    } finally {
      await sql`pragma synchronous = full`.execute(conn);
    }
  });
}
