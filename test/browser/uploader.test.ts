import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { cutChunks } from '../../src/net/upload-api.js';
import { BATCH, syncRecording } from '../../src/net/uploader.js';
import { DB_NAME, closeDb } from '../../src/storage/db.js';
import { ensureRecording, getRecording, markStopped, openSegment, pendingBatch } from '../../src/storage/recording-store.js';
import { FakeServer, ID, record } from './helpers/fake-upload-server.js';

/** An empty camera recording on the device, being recorded. */
const newRecording = (id = ID) => ensureRecording({
  id, examId: 'e', candidateId: 'c', kind: 'camera', mimeType: 'video/webm', createdAt: 0, state: 'recording',
  segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null, chainHead: 'genesis',
});

/** A server without framed uploads (v1 only): the uploader remembers that per API base. */
function oldServer(): FakeServer {
  const server = new FakeServer();
  server.framesRefused = 404;
  return server;
}
const OLD = 'http://old-server.test';

/** A recording `id` with `chunks` chunks in segment 0 (stopped, or still recording), and a fresh server for it. */
async function oneSegment(id: string, chunks: number, stopped: boolean, base = '') {
  await newRecording(id);
  await openSegment(id, 1, 'video/webm');
  await record(0, 0, chunks, id);
  if (stopped) await markStopped(id);
  const server = new FakeServer(id);
  return { server, deps: { base, credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined } };
}

describe('the uploader sends a backlog in batches', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('to a server without framed uploads: announces each segment before its chunks, sends each chunk once, resumes after a drop, and completes', async () => {
    await newRecording();
    await openSegment(ID, 1, 'video/webm');
    await record(0, 0, 30);
    await openSegment(ID, 2, 'video/webm');
    await record(1, 0, 20);
    const server = oldServer();
    const deps = { base: OLD, credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };

    // The link drops after 21 chunks: two batches of 16 in, mid-way through the second.
    server.dropAfterChunks = 21;
    const first = await syncRecording(ID, deps);
    expect(first.state).to.equal('offline');
    expect(server.held.size).to.equal(21);
    expect(first.verifiedBytes).to.equal(2_100);
    expect((await pendingBatch(ID)).chunks.length).to.equal(29);

    // Back online; recording went on meanwhile, then stopped.
    server.dropAfterChunks = Infinity;
    await record(1, 20, 25);
    await markStopped(ID);
    const second = await syncRecording(ID, deps);
    expect(second.state).to.equal('verified');
    expect(server.held.size).to.equal(55);
    const puts = server.log.filter((l) => l.startsWith('PUT') && l.includes('/chunks/'));
    expect(puts.length, 'every chunk sent once (none was cut mid-body here)').to.equal(55);
    expect(new Set(puts).size).to.equal(55);
    // Segment 1 was announced before its first chunk.
    expect(server.log.indexOf('PUT /segments/1')).to.be.lessThan(server.log.indexOf('PUT /segments/1/chunks/0'));
    expect(server.log.filter((l) => l === 'PUT /')).to.have.length(1);
    expect(server.log.at(-1)).to.equal('POST /complete');
    expect(server.log.filter((l) => l.startsWith('POST /chunks')), 'asked once whether it takes frames').to.deep.equal(['POST /chunks (404)']);
    expect((await getRecording(ID))!.state).to.equal('verified');
    expect((await pendingBatch(ID)).chunks).to.deep.equal([]);
  });

  for (const [dropAt, expected] of [
    ['mid-body', { requests: ['HEAD /segments/0/chunks/2', 'PUT /segments/0/chunks/2 from 50'], bytes: 500 }],
    ['reply', { requests: ['HEAD /segments/0/chunks/2'], bytes: 500 }],
  ] as const) {
    it(`v1: after the link cut a chunk (${dropAt === 'mid-body' ? 'half-way through its body' : 'after it was stored, the reply lost'}), sends only what the server lacks`, async () => {
      await newRecording();
      await openSegment(ID, 1, 'video/webm');
      await record(0, 0, 5);
      await markStopped(ID);
      const server = oldServer();
      server.dropAfterChunks = 2;
      server.dropAt = dropAt;
      const deps = { base: OLD, credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };
      expect((await syncRecording(ID, deps)).state).to.equal('offline');
      server.dropAfterChunks = Infinity;
      const mark = server.log.length;
      expect((await syncRecording(ID, deps)).state).to.equal('verified');
      const chunk2 = server.log.slice(mark).filter((l) => l.includes('/chunks/2'));
      expect(chunk2).to.deep.equal(expected.requests);
      expect(server.bodyBytes, 'five 100-byte chunks, no byte sent twice').to.equal(expected.bytes);
    });
  }

  it('a cut is told to the other contexts (the retry is often a pass in the service worker), and heard from them', async () => {
    await newRecording();
    await openSegment(ID, 1, 'video/webm');
    await record(0, 0, 3);
    const other = new BroadcastChannel('invigil-cut-chunks');
    const told: unknown[] = [];
    other.onmessage = (e) => told.push(e.data);
    try {
      const server = oldServer();
      server.dropAfterChunks = 1;
      server.dropAt = 'mid-body';
      const deps = { base: OLD, credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };
      expect((await syncRecording(ID, deps)).state).to.equal('offline');
      await new Promise((r) => setTimeout(r, 50));
      expect(told).to.deep.equal([{ cut: `${ID}/0/1` }]);
      // Another context cut chunk 2 of this recording: this one's first attempt at it asks first.
      server.dropAfterChunks = Infinity;
      server.partial.set('0/2', 30);
      other.postMessage({ cut: `${ID}/0/2` });
      await new Promise((r) => setTimeout(r, 50));
      expect((await syncRecording(ID, deps)).state).to.equal('uploading');
      expect(server.log.filter((l) => /chunks\/[12]/.test(l))).to.deep.equal([
        'HEAD /segments/0/chunks/1', 'PUT /segments/0/chunks/1 from 50', 'HEAD /segments/0/chunks/2', 'PUT /segments/0/chunks/2 from 30',
      ]);
      await new Promise((r) => setTimeout(r, 50));
      expect(told.slice(1), 'and that they are sent').to.deep.equal([{ sent: `${ID}/0/1` }, { sent: `${ID}/0/2` }]);
    } finally {
      other.close();
    }
  });

  for (const [server_, resume] of [
    ['lists cut bodies in its status', [`PUT /segments/0/chunks/${BATCH + 5} from 50`]],
    ['tells of a cut body by HEAD only (an older server)', [`HEAD /segments/0/chunks/${BATCH + 5}`, `PUT /segments/0/chunks/${BATCH + 5} from 50`]],
  ] as const) it(`v2: sends a backlog as framed requests of ${BATCH}; after a cut inside a frame, resumes that chunk beside the rest and sends no byte twice (the server ${server_})`, async () => {
    const lists = resume.length === 1;
    const id = `rec-uploader-v2-1${lists ? 'a' : 'b'}`;
    await newRecording(id);
    await openSegment(id, 1, 'video/webm');
    await record(0, 0, BATCH + 14, id);
    await openSegment(id, 2, 'video/webm');
    await record(1, 0, 20, id);
    const server = new FakeServer(id);
    server.listsPartial = lists;
    const deps = { base: '', credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };
    // The link drops half-way through the sixth frame of the second request (chunk 0/BATCH+5).
    server.dropAfterChunks = BATCH + 5;
    server.dropAt = 'mid-body';
    expect((await syncRecording(id, deps)).state).to.equal('offline');
    expect(server.held.size).to.equal(BATCH + 5);
    server.dropAfterChunks = Infinity;
    // Where the status says what was cut, the retry may be another context's (it never heard of the cut).
    if (lists) cutChunks.clear();
    await record(1, 20, 45, id);
    await markStopped(id);
    expect((await syncRecording(id, deps)).state).to.equal('verified');
    const total = BATCH + 14 + 45;
    expect(server.held.size).to.equal(total);
    expect(server.bodyBytes, `${total} chunks of 100 bytes, none sent twice`).to.equal(total * 100);
    const seqs = (from: number, to: number, seg = 0) => Array.from({ length: to - from }, (_, i) => `${seg}/${from + i}`).join(' ');
    const sent = server.log.filter((l) => l.includes('/chunks'));
    expect(sent.slice(0, 2)).to.deep.equal([`POST /chunks ${seqs(0, BATCH)}`, `POST /chunks ${seqs(BATCH, BATCH + 6)} (cut)`]);
    // The next pass asks what the server holds (PUT /), resumes the cut chunk, and beside it frames the rest.
    const rest = sent.slice(2);
    expect(rest.filter((l) => !l.startsWith('POST '))).to.deep.equal(resume);
    const framed = rest.filter((l) => l.startsWith('POST '));
    expect(framed.every((l) => l.split(' ').length - 2 <= BATCH), framed.join('\n')).to.equal(true);
    expect(framed.flatMap((l) => l.split(' ').slice(2)).join(' ')).to.equal(`${seqs(BATCH + 6, BATCH + 14)} ${seqs(0, 45, 1)}`);
    expect(server.log.filter((l) => l === 'PUT /')).to.have.length(2);
    expect(server.log.indexOf('PUT /segments/1')).to.be.lessThan(server.log.findIndex((l) => l.includes(' 1/0')));
    expect(server.log.at(-1)).to.equal('POST /complete');
    expect((await pendingBatch(id)).chunks).to.deep.equal([]);
  });

  it('v2: a cut that left nothing of its chunk on the server: the status read after it says so, and the chunk goes whole with the rest (no HEAD)', async () => {
    const id = 'rec-uploader-v2-nothing-kept';
    const { server, deps } = await oneSegment(id, 10, true);
    // The link drops before the fourth frame's first byte: the server holds three, nothing of the fourth.
    server.dropAfterChunks = 3;
    server.dropAt = 'before';
    expect((await syncRecording(id, deps)).state).to.equal('offline');
    server.dropAfterChunks = Infinity;
    expect((await syncRecording(id, deps)).state).to.equal('verified');
    const after = server.log.slice(server.log.findIndex((l) => l.endsWith('(cut)')) + 1);
    expect(after).to.deep.equal(['PUT /', 'POST /chunks 0/3 0/4 0/5 0/6 0/7 0/8 0/9', 'POST /complete']);
    expect(server.bodyBytes, 'no byte sent twice').to.equal(1_000);
    expect([...cutChunks].filter((k) => k.startsWith(`${id}/`)), 'nothing left marked cut').to.deep.equal([]);
  });

  it('v2: a long backlog goes with the next framed request on its way before the reply to the one before (two in flight, never more)', async () => {
    const id = 'rec-uploader-v2-5';
    const { server, deps } = await oneSegment(id, 3 * BATCH + 7, true);
    server.replyDelayMs = 40;
    expect((await syncRecording(id, deps)).state).to.equal('verified');
    const framed = server.log.filter((l) => l.startsWith('POST /chunks'));
    expect(framed.map((l) => l.split(' ').length - 2)).to.deep.equal([BATCH, BATCH, BATCH, 7]);
    expect(server.maxFramedInFlight).to.equal(2);
    expect(server.bodyBytes).to.equal((3 * BATCH + 7) * 100);
    expect((await getRecording(id))!.uploadedBytes).to.equal((3 * BATCH + 7) * 100);
    expect((await pendingBatch(id)).chunks).to.deep.equal([]);
  });

  it('v2: a frame the server refuses (corrupted on the way) is sent again on its own, as is the rest of its request; a lone live chunk goes as one PUT', async () => {
    const id = 'rec-uploader-v2-2';
    const { server, deps } = await oneSegment(id, 4, false);
    server.corrupt.add('0/1');
    expect((await syncRecording(id, deps)).state).to.equal('uploading');
    expect(server.log.filter((l) => l.includes('/chunks'))).to.deep.equal([
      'POST /chunks 0/0 0/1 0/2 0/3', 'PUT /segments/0/chunks/1', 'PUT /segments/0/chunks/2', 'PUT /segments/0/chunks/3',
    ]);
    expect(server.held.size).to.equal(4);
    await record(0, 4, 5, id);
    const mark = server.log.length;
    expect((await syncRecording(id, deps)).state).to.equal('uploading');
    expect(server.log.slice(mark)).to.deep.equal(['PUT /segments/0/chunks/4']);
  });

  it('v2: when the reply to a framed request is lost, the next pass sends none of its chunks again', async () => {
    const id = 'rec-uploader-v2-3';
    const { server, deps } = await oneSegment(id, 6, true);
    server.dropAfterChunks = 5;
    server.dropAt = 'reply';
    const first = await syncRecording(id, deps);
    expect(first.state, JSON.stringify([first, server.log])).to.equal('offline');
    server.dropAfterChunks = Infinity;
    const mark = server.log.length;
    expect((await syncRecording(id, deps)).state).to.equal('verified');
    expect(server.log.slice(mark)).to.deep.equal(['PUT /', 'POST /complete']);
    expect(server.bodyBytes).to.equal(600);
  });

  it('a server that lost acknowledged chunks (its power failed before their rows reached the disk) names them at completion; the device, which kept them, sends them again', async () => {
    const id = 'rec-uploader-lost-rows';
    const { server, deps } = await oneSegment(id, 8, false);
    expect((await syncRecording(id, deps)).state).to.equal('uploading');
    expect(server.held.size).to.equal(8);
    server.held.delete('0/2');
    server.held.delete('0/6');
    await markStopped(id);
    const mark = server.log.length;
    const first = await syncRecording(id, deps);
    expect(first.state, JSON.stringify(server.log.slice(mark))).to.equal('retry');
    expect((await pendingBatch(id)).chunks.map((c) => c.seq)).to.deep.equal([2, 6]);
    expect((await syncRecording(id, deps)).state).to.equal('verified');
    expect(server.held.size).to.equal(8);
    expect(server.log.slice(mark).filter((l) => l.startsWith('POST /complete'))).to.have.length(2);
  });

  it('v2: a framed request refused as a whole (a proxy in front allows 1 MB bodies) sends its chunks one PUT each, and the next pass too', async () => {
    const id = 'rec-uploader-v2-4';
    const { server, deps } = await oneSegment(id, 3, false, 'http://behind-a-proxy.test');
    server.framesRefused = 413;
    expect((await syncRecording(id, deps)).state).to.equal('uploading');
    await record(0, 3, 5, id);
    await markStopped(id);
    expect((await syncRecording(id, deps)).state).to.equal('verified');
    expect(server.log.filter((l) => l.includes('/chunks'))).to.deep.equal([
      'POST /chunks (413)', ...[0, 1, 2, 3, 4].map((seq) => `PUT /segments/0/chunks/${seq}`),
    ]);
  });
});

describe('the recorder worker keeps a live recording\'s upload lock between its passes', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  const lockName = (id: string) => `invigil-upload:${id}`;
  const held = async () => (await navigator.locks.query()).held?.map((l) => l.name) ?? [];
  /** Whether another context (the service worker, a page) could take the lock now. */
  const free = (id: string) => navigator.locks.request(lockName(id), { ifAvailable: true }, (lock) => lock !== null);
  /** The origin's Web Locks, counting what this context asks for. */
  function countingLocks(asked: string[]): LockManager {
    return {
      request: ((name: string, ...rest: unknown[]) => {
        asked.push(name);
        return (navigator.locks.request.bind(navigator.locks) as (...a: unknown[]) => Promise<unknown>)(name, ...rest);
      }),
      query: () => navigator.locks.query(),
    };
  }

  it('asks for it once while the recording uploads live; another context finds it taken; released once verified', async () => {
    const id = 'rec-kept-lock';
    const { server, deps: base } = await oneSegment(id, 3, false);
    const asked: string[] = [];
    const deps = { ...base, locks: countingLocks(asked), keepLiveLock: true };
    expect((await syncRecording(id, deps)).state).to.equal('uploading');
    expect(await held()).to.include(lockName(id));
    expect(await free(id), 'taken between passes').to.equal(false);

    await record(0, 3, 6, id);
    expect((await syncRecording(id, deps)).state).to.equal('uploading');
    expect(asked, 'the second pass asked the browser for no lock').to.deep.equal([lockName(id)]);
    expect(server.held.size).to.equal(6);

    await markStopped(id);
    expect((await syncRecording(id, deps)).state).to.equal('verified');
    expect(await held()).to.not.include(lockName(id));
    expect(await free(id)).to.equal(true);
  });

  it('is released when a pass fails (offline), and taken per pass by a context that does not keep it', async () => {
    const id = 'rec-kept-offline';
    const { server, deps: base } = await oneSegment(id, 2, false);
    const deps = { ...base, locks: navigator.locks, keepLiveLock: true };
    expect((await syncRecording(id, deps)).state).to.equal('uploading');
    server.dropAfterChunks = 0;
    await record(0, 2, 4, id);
    expect((await syncRecording(id, deps)).state).to.equal('offline');
    expect(await free(id), 'offline: another context may try').to.equal(true);

    server.dropAfterChunks = Infinity;
    const perPass = { ...base, locks: navigator.locks };
    expect((await syncRecording(id, perPass)).state).to.equal('uploading');
    expect(await free(id), 'a page or the service worker lets it go at the end of its pass').to.equal(true);
    expect(server.held.size).to.equal(4);
  });
});
