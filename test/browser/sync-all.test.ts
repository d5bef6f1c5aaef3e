import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { flushOutbox } from '../../src/net/outbox-sender.js';
import { syncAll } from '../../src/net/sync-all.js';
import { UploadLedger } from '../../src/net/upload-ledger.js';
import { DB_NAME, closeDb, dbStats, getDb } from '../../src/storage/db.js';
import { enqueue, peek } from '../../src/storage/outbox.js';
import { ensureRecording, openSegment } from '../../src/storage/recording-store.js';
import { FakeServer, record } from './helpers/fake-upload-server.js';

const ID = 'rec-sync-all';
const owner = { examId: 'e', candidateId: 'c' };
const event = (n: number) => ({ kind: 'event' as const, ...owner, event: { id: `event-${String(n).padStart(4, '0')}`, type: 'tab-hidden' as const, at: n } });

/**
 * The recordings' fake server, and the events endpoint beside it answering after `eventsMs` (a
 * distant link's round trip). `log`: each request as it starts, and each events reply.
 */
function world(eventsMs: number) {
  const server = new FakeServer(ID);
  const log: string[] = [];
  let eventPosts = 0;
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input, location.href).pathname;
    const method = init?.method ?? 'GET';
    log.push(`${method} ${url.replace(`/api/recordings/${ID}`, '/rec')}`);
    if (url !== '/api/device/events') return server.fetch(input, init);
    eventPosts++;
    await new Promise((r) => setTimeout(r, eventsMs));
    log.push('events replied');
    return new Response(JSON.stringify({ accepted: 1 }), { headers: { 'content-type': 'application/json' } });
  };
  const deps = { base: '', credential: () => Promise.resolve('token'), fetch };
  return { server, log, deps, posts: () => eventPosts };
}

describe('an upload pass', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('does not hold a recording\'s first bytes behind the events\' round trip', async () => {
    await ensureRecording({
      id: ID, examId: 'e', candidateId: 'c', kind: 'camera', mimeType: 'video/webm', createdAt: 0, state: 'recording',
      segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null, chainHead: 'genesis',
    });
    await openSegment(ID, 1, 'video/webm');
    await record(0, 0, 4, ID);
    await enqueue(event(1));
    const { log, deps } = world(300);
    const ledger = new UploadLedger(false);
    try {
      await syncAll(deps, { ledger });
    } finally {
      ledger.close();
    }
    const chunks = log.findIndex((l) => l.startsWith('POST /rec/chunks'));
    expect(chunks, log.join('\n')).to.be.greaterThan(-1);
    expect(chunks, log.join('\n')).to.be.lessThan(log.indexOf('events replied'));
    expect(await peek(10), 'the events were sent too').to.deep.equal([]);
  });

  it('sends the outbox from one context at a time: another at it skips (or, asked to, waits), and nothing is posted twice', async () => {
    for (let n = 0; n < 3; n++) await enqueue(event(n));
    const { deps, posts } = world(100);
    // Two contexts of the origin (the recorder worker, the service worker) pass at once.
    const [first, second] = await Promise.all([flushOutbox(deps), flushOutbox(deps)]);
    expect([first.state, second.state].sort()).to.deep.equal(['busy', 'done']);
    expect(posts(), 'one post of the three events').to.equal(1);
    await enqueue(event(3));
    // Logging out waits for the one in progress, then sends what is left.
    const [, waited] = await Promise.all([flushOutbox(deps), flushOutbox(deps, { wait: true })]);
    expect(waited.state).to.equal('done');
    expect(posts()).to.equal(2);
    expect(await peek(10)).to.deep.equal([]);
  });

  it('another context sending the outbox leaves it in the outcome, still to do: the scheduler looks again (it may fail)', async () => {
    await enqueue(event(1));
    const { deps, posts } = world(0);
    const ledger = new UploadLedger(false);
    let release = () => {};
    // Another context (the service worker, a logout's flush) holds the outbox while this pass runs.
    const held = new Promise<void>((ok) => {
      void navigator.locks.request('invigil-outbox', () => new Promise<void>((r) => { release = r; ok(); }));
    });
    await held;
    try {
      const out = await syncAll(deps, { ledger });
      expect(out.get('outbox')?.state, 'no recording pending, yet the outbox is not done').to.equal('busy');
      expect(posts()).to.equal(0);
    } finally {
      release();
    }
    await navigator.locks.request('invigil-outbox', () => undefined); // the other context is done
    try {
      const after = await syncAll(deps, { ledger });
      expect(after.has('outbox'), 'sent: nothing left to do').to.equal(false);
      expect(posts()).to.equal(1);
    } finally {
      ledger.close();
    }
  });

  it('reads the outbox once when one post takes all it holds; again while more is left', async () => {
    for (let n = 0; n < 3; n++) await enqueue(event(n));
    const { deps, posts } = world(0);
    const before = dbStats.count;
    expect((await flushOutbox(deps)).state).to.equal('done');
    expect(dbStats.count - before, 'one read, one acknowledgement').to.equal(2);
    // More than one post holds (50): the store is read again until it is empty.
    for (let n = 10; n < 70; n++) await enqueue(event(n));
    expect((await flushOutbox(deps)).state).to.equal('done');
    expect(posts()).to.equal(3);
    expect(await peek(100)).to.deep.equal([]);
  });

  it('posts what was logged since it last read the outbox without reading it again, its acknowledgement written behind, inside the lock', async () => {
    const { deps, posts } = world(0);
    const ledger = new UploadLedger();
    // Every read of the outbox walks a cursor: counted here.
    const open = IDBObjectStore.prototype.openCursor;
    let reads = 0;
    IDBObjectStore.prototype.openCursor = function (...args: Parameters<typeof open>) {
      if (this.name === 'outbox') reads++;
      return open.apply(this, args);
    };
    /** Adds an item as another tab or worker would (not through this context's store module), then announces it: with the item, or (`bare`) as an older app would. */
    const addElsewhere = async (n: number, bare = false) => {
      const item = event(n);
      const key = await (await getDb()).add('outbox', item);
      const channel = new BroadcastChannel('invigil-store');
      channel.postMessage(bare ? { store: 'outbox', origin: 'older-tab' } : { store: 'outbox', added: [{ key, item }], origin: 'another-tab' });
      channel.close();
    };
    const heard = async (size: number | null) => {
      for (let i = 0; i < 100 && ledger.outbox.size() !== size; i++) await new Promise((r) => setTimeout(r, 10));
      expect(ledger.outbox.size()).to.equal(size);
    };
    try {
      await enqueue(event(1));
      await syncAll(deps, { ledger });
      expect([posts(), reads], 'the first pass reads the outbox').to.deep.equal([1, 1]);

      await enqueue(event(2));
      await enqueue(event(3));
      await syncAll(deps, { ledger });
      expect([posts(), reads], 'posted from memory: no read').to.deep.equal([2, 1]);
      // A flush queued behind that pass's lock starts once the acknowledgement is written: nothing is left.
      expect((await flushOutbox(deps, { wait: true })).state).to.equal('done');
      expect(posts(), 'nothing posted twice').to.equal(2);
      expect(await peek(10)).to.deep.equal([]);

      await addElsewhere(4);
      await heard(1);
      const before = reads;
      await syncAll(deps, { ledger });
      expect([posts(), reads - before], 'another context\'s item came with its notice').to.deep.equal([3, 0]);

      await addElsewhere(5, true);
      await heard(null);
      await syncAll(deps, { ledger });
      expect([posts(), reads - before], 'a bare notice: read again').to.deep.equal([4, 1]);
      await flushOutbox(deps, { wait: true });
      expect(await peek(10)).to.deep.equal([]);

      // Written and never announced (its context closed in between): a full pass reads the outbox.
      await (await getDb()).add('outbox', event(6));
      await syncAll(deps, { ledger });
      expect(posts(), 'unannounced, so not known').to.equal(4);
      await syncAll(deps, { ledger, full: true });
      expect(posts(), 'a full pass finds it').to.equal(5);

      // The page adds an item and asks the worker for a pass: the request may arrive before the
      // item's notice. The pass waits for the notice (no read), or reads after 100 ms without one.
      const noticeLate = async (n: number, afterMs: number | null) => {
        const item = event(n);
        const key = await (await getDb()).add('outbox', item);
        if (afterMs !== null) {
          setTimeout(() => {
            const channel = new BroadcastChannel('invigil-store');
            channel.postMessage({ store: 'outbox', added: [{ key, item }], origin: 'the-page' });
            channel.close();
          }, afterMs);
        }
        return key;
      };
      const read0 = reads;
      await syncAll(deps, { ledger, outboxKey: await noticeLate(7, 40) });
      expect([posts(), reads - read0], 'sent by the pass asked for it, from memory').to.deep.equal([6, 0]);
      await syncAll(deps, { ledger, outboxKey: await noticeLate(8, null) });
      expect([posts(), reads - read0], 'no notice: read').to.deep.equal([7, 1]);
    } finally {
      IDBObjectStore.prototype.openCursor = open;
      ledger.close();
    }
  });
});
