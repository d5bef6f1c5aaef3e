import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { DB_NAME, closeDb, getDb } from '../../src/storage/db.js';
import { deviceId, kvDelete, kvGet, kvSet } from '../../src/storage/kv.js';

describe('storage (real IndexedDB)', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('keeps a session across a closed and reopened connection', async () => {
    const session = { role: 'candidate' as const, examId: 'e', token: 't', tokenExpiresAt: 1, refreshToken: 'r' };
    await kvSet('session:candidate', session);
    await closeDb();
    expect(await kvGet('session:candidate')).to.deep.equal(session);
    await kvDelete('session:candidate');
    expect(await kvGet('session:candidate')).to.equal(undefined);
  });

  it('a failed open (as on a full disk) is not kept: the next call opens the database', async () => {
    await getDb();
    await closeDb();
    const realOpen = indexedDB.open.bind(indexedDB);
    // The next open fails asynchronously, as Chromium's "Internal error opening backing store"
    // does on a full disk (here: a real request for an older version, which fails the same way).
    indexedDB.open = (name: string) => {
      indexedDB.open = realOpen;
      return realOpen(name, 1);
    };
    try {
      let failure: unknown = null;
      await getDb().catch((err: unknown) => { failure = err; });
      expect((failure as DOMException | null)?.name).to.equal('VersionError');
      await kvSet('systemCheck', { passedAt: 1 });
      expect(await kvGet('systemCheck')).to.deep.equal({ passedAt: 1 });
    } finally {
      indexedDB.open = realOpen;
    }
  });

  it('reads a value that no longer matches its schema as absent', async () => {
    await (await getDb()).put('kv', { role: 'candidate', token: 42 }, 'session:candidate');
    expect(await kvGet('session:candidate')).to.equal(undefined);
  });

  it('makes one device id and keeps it, even under concurrent first calls', async () => {
    const ids = await Promise.all([deviceId(), deviceId(), deviceId()]);
    expect(new Set(ids).size).to.equal(1);
    expect(ids[0]).to.match(/^[A-Za-z0-9_-]{24}$/);
    await closeDb();
    expect(await deviceId()).to.equal(ids[0]);
  });
});
