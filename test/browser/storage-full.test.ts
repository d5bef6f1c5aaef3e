import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { DB_NAME, closeDb } from '../../src/storage/db.js';
import { kvGet, kvSet } from '../../src/storage/kv.js';
import { canWriteFile, storageHeldFull } from '../../src/storage/space.js';
import { peek } from '../../src/storage/outbox.js';
import { EventLog } from '../../src/candidate/event-log.js';

/**
 * After a write failed for want of space, the database is neither opened nor written until a
 * test write in the origin-private file system succeeds (a real full disk: test/e2e/disk-full).
 * Here the disk "fills" by making that file system's writes fail as they do on a full disk; the
 * note that the disk is full arrives from another context, as it does from the recorder worker.
 */
describe('storage on a full disk (real IndexedDB, real origin-private file system)', () => {
  const realOpen = indexedDB.open.bind(indexedDB);
  const realWrite = FileSystemWritableFileStream.prototype.write;
  let opens = 0;
  let probes = 0;
  const fillDisk = (full: boolean) => {
    FileSystemWritableFileStream.prototype.write = full
      ? function () {
        probes++;
        return Promise.reject(new DOMException('No space left on device', 'InvalidStateError'));
      }
      : function (this: FileSystemWritableFileStream, ...args: Parameters<typeof realWrite>) {
        probes++;
        return realWrite.apply(this, args);
      };
  };
  const fromWorker = async () => {
    const other = new BroadcastChannel('invigil-space');
    other.postMessage('full');
    other.close();
    for (let i = 0; !storageHeldFull(); i++) {
      if (i > 100) throw new Error('the note never arrived');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  /** A value stored, then the disk full: Chromium closed the connection after the failed write, the worker says so. */
  const storedThenFull = async () => {
    await kvSet('systemCheck', { passedAt: 1 });
    await closeDb();
    opens = 0;
    fillDisk(true);
    await fromWorker();
  };
  const failure = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => (err as Error).name);

  beforeEach(() => {
    opens = 0;
    probes = 0;
    indexedDB.open = (name: string, version?: number) => {
      opens++;
      return realOpen(name, version);
    };
  });
  afterEach(async () => {
    indexedDB.open = realOpen;
    FileSystemWritableFileStream.prototype.write = realWrite;
    // Leave the module as a fresh page has it: room found again (after the last refusal's second).
    if (storageHeldFull()) {
      await new Promise((r) => setTimeout(r, 1_100));
      await kvSet('systemCheck', { passedAt: 0 });
    }
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('a test write outside the database tells a full disk from one with room', async () => {
    expect(await canWriteFile(1024 * 1024)).to.equal(true);
    fillDisk(true);
    expect(await canWriteFile(1024 * 1024)).to.equal(false);
    const root = await navigator.storage.getDirectory();
    const left: string[] = [];
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) left.push(name);
    expect(left, 'the test files are removed').to.deep.equal([]);
  });

  it('while the disk is full no connection is opened and nothing is written; once there is room both work again', async () => {
    await storedThenFull();

    expect(await failure(kvGet('systemCheck')), 'a read that would open the database').to.equal('StorageFullError');
    expect(await failure(kvSet('systemCheck', { passedAt: 2 }))).to.equal('StorageFullError');
    expect(opens, 'no open on the full disk').to.equal(0);
    // One test write per second at most, however many calls are refused meanwhile.
    expect(probes).to.equal(1);

    await new Promise((r) => setTimeout(r, 1_100));
    expect(await failure(kvSet('systemCheck', { passedAt: 2 }))).to.equal('StorageFullError');
    expect([opens, probes]).to.deep.equal([0, 2]);

    fillDisk(false);
    await new Promise((r) => setTimeout(r, 1_100));
    await kvSet('systemCheck', { passedAt: 3 });
    expect(storageHeldFull()).to.equal(false);
    expect(await kvGet('systemCheck'), 'what was stored before the disk filled, then the new value').to.deep.equal({ passedAt: 3 });
    expect(opens).to.equal(1);
  });

  it('should the test write go on failing with room on the disk, one call every 5 minutes still reaches the database', async () => {
    await storedThenFull();
    expect(await failure(kvSet('systemCheck', { passedAt: 2 }))).to.equal('StorageFullError');
    const realNow = performance.now.bind(performance);
    performance.now = () => realNow() + 5 * 60_000 + 1_000;
    try {
      await kvSet('systemCheck', { passedAt: 2 });
    } finally {
      performance.now = realNow;
    }
    expect(await kvGet('systemCheck')).to.deep.equal({ passedAt: 2 });
    expect([opens, storageHeldFull()]).to.deep.equal([1, false]);
  });

  it('with a connection still open, reads go on while the disk is full; writes wait for room', async () => {
    await kvSet('systemCheck', { passedAt: 1 });
    opens = 0;
    fillDisk(true);
    await fromWorker();
    expect(await kvGet('systemCheck')).to.deep.equal({ passedAt: 1 });
    expect(await failure(kvSet('systemCheck', { passedAt: 2 }))).to.equal('StorageFullError');
    expect(await kvGet('systemCheck'), 'the refused write changed nothing').to.deep.equal({ passedAt: 1 });
    expect(opens).to.equal(0);
  });

  it('an event logged while the disk is full is kept in memory and stored once there is room, in order', async () => {
    const log = new EventLog(() => ({ examId: 'e', candidateId: 'c' }), () => 1_000);
    const heard: string[] = [];
    log.onLogged((type) => heard.push(type));
    await log.log('entered');
    await closeDb();
    fillDisk(true);
    await fromWorker();
    await log.log('storage-full');
    await log.log('track-ended', { kind: 'camera' });
    expect(heard, 'the screen and the uploader still hear of them').to.deep.equal(['entered', 'storage-full', 'track-ended']);
    expect(log.waiting).to.equal(2);
    fillDisk(false);
    for (let i = 0; log.waiting > 0; i++) {
      if (i > 100) throw new Error('the held events were never stored');
      await new Promise((r) => setTimeout(r, 100));
    }
    const stored = (await peek(10)).map(({ item }) => (item.kind === 'event' ? item.event.type : item.kind));
    expect(stored).to.deep.equal(['entered', 'storage-full', 'track-ended']);
  });
});
