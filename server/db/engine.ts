import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type QueryExecutorProvider } from 'kysely';

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
