import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { GroupCommit } from '../../server/db/group-commit.js';

interface Db { notes: { id: string; text: string } }

/** A SQLite file whose commits are counted (each a flush to the disk in FULL mode). */
async function counted(): Promise<{ db: Kysely<Db>; commits: () => number; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-group-'));
  const raw = new SQLite(path.join(dir, 'db.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  let commits = 0;
  const db = new Kysely<Db>({
    dialect: new SqliteDialect({
      database: {
        close: () => raw.close(),
        prepare: (q: string) => {
          const stmt = raw.prepare(q);
          if (!/^commit/i.test(q)) return stmt;
          return { reader: false, all: () => [], run: (...a: unknown[]) => (commits++, stmt.run(...a)) } as unknown as typeof stmt;
        },
      },
    }),
  });
  await sql`create table notes (id text primary key, text text not null)`.execute(db);
  return { db, commits: () => commits, done: async () => { await db.destroy(); await rm(dir, { recursive: true, force: true }); } };
}

const insert = (id: string) => async (trx: Kysely<Db>) => {
  await trx.insertInto('notes').values({ id, text: `note ${id}` }).execute();
  return id;
};

test('writes asked for at the same moment share one commit; each caller gets its own result once it is stored', async () => {
  const { db, commits, done } = await counted();
  const group = new GroupCommit(db);
  const before = commits();
  const ids = Array.from({ length: 20 }, (_, i) => `n${i}`);
  assert.deepEqual(await Promise.all(ids.map((id) => group.run(insert(id)))), ids);
  assert.equal(commits() - before, 1, 'one commit for twenty writers');
  const stored = await db.selectFrom('notes').select('id').orderBy('id').execute();
  assert.deepEqual(stored.map((r) => r.id).sort(), [...ids].sort());
  // Asked one after another (each awaited): one commit each, as before.
  await group.run(insert('late-1'));
  await group.run(insert('late-2'));
  assert.equal(commits() - before, 3);
  await done();
});

test('one failing write fails only its caller: the others are stored, nothing of the failed one is', async () => {
  const { db, done } = await counted();
  const group = new GroupCommit(db);
  await group.run(insert('taken'));
  const twoRows = async (trx: Kysely<Db>) => {
    await trx.insertInto('notes').values({ id: 'half', text: 'first row of a write that fails' }).execute();
    await trx.insertInto('notes').values({ id: 'taken', text: 'a repeated key' }).execute();
  };
  const results = await Promise.allSettled([group.run(insert('a')), group.run(twoRows), group.run(insert('b'))]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.match(String((results[1] as PromiseRejectedResult).reason), /UNIQUE/);
  const stored = await db.selectFrom('notes').select('id').orderBy('id').execute();
  assert.deepEqual(stored.map((r) => r.id), ['a', 'b', 'taken'], 'the failed write left nothing ("half" rolled back)');
  await done();
});

test('a single write that fails is tried once', async () => {
  const { db, done } = await counted();
  const group = new GroupCommit(db);
  let runs = 0;
  await assert.rejects(group.run(() => {
    runs++;
    return Promise.reject(new Error('refused'));
  }), /refused/);
  assert.equal(runs, 1);
  await done();
});

test('lazy: chunk rows arriving together share one commit that does not wait for the disk; FULL again after', async () => {
  const { db, commits, done } = await counted();
  const group = new GroupCommit(db, { lazy: true });
  const before = commits();
  let during = -1;
  const ids = Array.from({ length: 8 }, (_, i) => `c${i}`);
  await Promise.all(ids.map((id, i) => group.run(async (trx) => {
    if (i === 0) during = Number((await sql<{ synchronous: number }>`pragma synchronous`.execute(trx)).rows[0]?.synchronous);
    return insert(id)(trx);
  })));
  assert.equal(commits() - before, 1);
  assert.equal(during, 1, 'NORMAL while the group writes');
  assert.equal(Number((await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous), 2, 'FULL after');
  await done();
});
