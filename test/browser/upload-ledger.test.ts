import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { syncAll } from '../../src/net/sync-all.js';
import { UploadLedger } from '../../src/net/upload-ledger.js';
import { DB_NAME, closeDb, dbStats, getDb } from '../../src/storage/db.js';
import { ensureRecording, getRecording, openSegment, pendingBatch } from '../../src/storage/recording-store.js';
import { FakeServer, record as recordAs, sha } from './helpers/fake-upload-server.js';

/** Each chunk the server received whole, as "segment/seq": by a PUT of its own, or as a frame of a framed request. */
const chunksSent = (server: FakeServer) => server.log.flatMap((l) => {
  const put = /^PUT \/segments\/(\d+)\/chunks\/(\d+)$/.exec(l);
  if (put) return [`${put[1]}/${put[2]}`];
  return /^POST \/chunks [\d/ ]+$/.test(l) ? l.split(' ').slice(2) : [];
});

/** A recording id of its own per test (the uploader keeps what the server holds per id). */
let ID = '';
let n = 0;
const record = (segment: number, from: number, to: number) => recordAs(segment, from, to, ID);

async function newRecording(): Promise<void> {
  await ensureRecording({
    id: ID, examId: 'e', candidateId: 'c', kind: 'camera', mimeType: 'video/webm', createdAt: 0, state: 'recording',
    segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null, chainHead: 'genesis',
  });
  await openSegment(ID, 1, 'video/webm');
}

/** Database calls made while `fn` runs. */
async function dbCallsIn(fn: () => Promise<unknown>): Promise<number> {
  const before = dbStats.count;
  await fn();
  return dbStats.count - before;
}

/** Writes a chunk as another tab or worker would (not through this context's store module), then says so as the store does. */
async function appendElsewhere(seq: number): Promise<void> {
  const rec = (await getRecording(ID))!;
  const db = await getDb();
  const tx = db.transaction(['recordings', 'chunks', 'pending'], 'readwrite');
  const chunk = { recordingId: ID, segment: 0, seq, blob: new Blob([new Uint8Array(100)]), size: 100, sha256: sha(seq) };
  await tx.objectStore('chunks').put(chunk);
  await tx.objectStore('pending').put({ recordingId: ID, segment: 0, seq, size: 100, sha256: sha(seq) });
  await tx.objectStore('recordings').put({ ...rec, bytes: rec.bytes + 100, segments: [{ ...rec.segments[0]!, chunks: seq + 1 }], chainHead: `elsewhere-${seq}` });
  await tx.done;
  const channel = new BroadcastChannel('invigil-store');
  channel.postMessage({ store: 'recordings', id: ID, change: 'append', origin: 'another-tab' });
  channel.close();
}

const until = async (what: () => boolean | Promise<boolean>, ms = 3_000) => {
  const end = performance.now() + ms;
  while (!(await what())) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('an upload pass beside a long recording reads nothing it already knows', () => {
  let ledger: UploadLedger;
  let server: FakeServer;
  let deps: Parameters<typeof syncAll>[0];
  beforeEach(async () => {
    ID = `rec-ledger-${++n}`;
    ledger = new UploadLedger();
    server = new FakeServer(ID);
    deps = { base: '', credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };
    await newRecording();
  });
  afterEach(async () => {
    ledger.close();
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('sends a chunk stored since the last pass from memory: no read of the store, its acknowledgement written behind', async () => {
    await record(0, 0, 40);
    // The first pass knows nothing: it reads the store (the recordings, then the backlog), and the
    // framed request's 40 acknowledgements are one write.
    expect(await dbCallsIn(() => syncAll(deps, { ledger }))).to.equal(3);
    expect(chunksSent(server)).to.have.length(40);
    await ledger.settled();

    for (let seq = 40; seq < 60; seq++) {
      await record(0, seq, seq + 1);
      // The pass itself: the chunk's PUT and at most its acknowledgement (one write) — however long the recording.
      expect(await dbCallsIn(() => syncAll(deps, { ledger })), `pass after chunk ${seq}`).to.be.at.most(1);
      await ledger.settled();
    }
    await ledger.settled();
    expect(chunksSent(server)).to.have.length(60);
    expect(new Set(chunksSent(server)).size, 'each chunk sent once').to.equal(60);
    expect((await pendingBatch(ID)).chunks, 'every acknowledgement committed').to.deep.equal([]);
    expect((await getRecording(ID))!.uploadedBytes).to.equal(6_000);
  });

  it('keeps a chunk that could not be sent and sends it when the link returns; past a minute offline it reads the store', async () => {
    await record(0, 0, 2);
    await syncAll(deps, { ledger });
    server.dropAfterChunks = 0;
    await record(0, 2, 3);
    const offline = await syncAll(deps, { ledger });
    expect(offline.get(ID)?.state).to.equal('offline');
    server.dropAfterChunks = Infinity;
    expect(await dbCallsIn(() => syncAll(deps, { ledger })), 'resent from memory').to.be.at.most(1);
    expect(chunksSent(server)).to.deep.equal(['0/0', '0/1', '0/2']);

    // 40 chunks (80 s) offline: memory keeps none of them, the store has them all.
    server.dropAfterChunks = 0;
    for (let seq = 3; seq < 43; seq++) {
      await record(0, seq, seq + 1);
      await syncAll(deps, { ledger });
    }
    server.dropAfterChunks = Infinity;
    await syncAll(deps, { ledger });
    await ledger.settled();
    expect(new Set(chunksSent(server)).size).to.equal(43);
    expect((await pendingBatch(ID)).chunks).to.deep.equal([]);
  });

  it('reads the store again when another context wrote to it, a segment opened, or a full pass is asked for', async () => {
    await record(0, 0, 2);
    await syncAll(deps, { ledger });
    await ledger.settled();

    await appendElsewhere(2);
    await until(async () => (await dbCallsIn(() => syncAll(deps, { ledger }))) > 1 && chunksSent(server).length === 3);
    expect(chunksSent(server).at(-1)).to.equal('0/2');

    // A new segment (a reload of the recorder): announced to the server before its first chunk.
    await openSegment(ID, 5, 'video/webm');
    await record(1, 0, 1);
    await syncAll(deps, { ledger });
    expect(server.log.indexOf('PUT /segments/1')).to.be.greaterThan(-1);
    expect(server.log.indexOf('PUT /segments/1')).to.be.lessThan(server.log.indexOf('PUT /segments/1/chunks/0'));

    await ledger.settled();
    expect(await dbCallsIn(() => syncAll(deps, { ledger, full: true })), 'a full pass reads the store').to.be.greaterThan(0);
  });
});
