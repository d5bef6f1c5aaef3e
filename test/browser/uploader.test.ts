import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { syncRecording } from '../../src/net/uploader.js';
import { DB_NAME, closeDb } from '../../src/storage/db.js';
import { ensureRecording, getRecording, markStopped, openSegment, pendingBatch } from '../../src/storage/recording-store.js';
import { FakeServer, ID, record } from './helpers/fake-upload-server.js';

/** An empty camera recording on the device, being recorded. */
const newRecording = () => ensureRecording({
  id: ID, examId: 'e', candidateId: 'c', kind: 'camera', mimeType: 'video/webm', createdAt: 0, state: 'recording',
  segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null, chainHead: 'genesis',
});

describe('the uploader sends a backlog in batches', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('announces each segment before its chunks, sends each chunk once, resumes after a drop, and completes', async () => {
    await newRecording();
    await openSegment(ID, 1, 'video/webm');
    await record(0, 0, 30);
    await openSegment(ID, 2, 'video/webm');
    await record(1, 0, 20);
    const server = new FakeServer();
    const deps = { base: '', credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };

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
    expect((await getRecording(ID))!.state).to.equal('verified');
    expect((await pendingBatch(ID)).chunks).to.deep.equal([]);
  });

  for (const [dropAt, expected] of [
    ['mid-body', { requests: ['HEAD /segments/0/chunks/2', 'PUT /segments/0/chunks/2 from 50'], bytes: 500 }],
    ['reply', { requests: ['HEAD /segments/0/chunks/2'], bytes: 500 }],
  ] as const) {
    it(`after the link cut a chunk (${dropAt === 'mid-body' ? 'half-way through its body' : 'after it was stored, the reply lost'}), sends only what the server lacks`, async () => {
      await newRecording();
      await openSegment(ID, 1, 'video/webm');
      await record(0, 0, 5);
      await markStopped(ID);
      const server = new FakeServer();
      server.dropAfterChunks = 2;
      server.dropAt = dropAt;
      const deps = { base: '', credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };
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
      const server = new FakeServer();
      server.dropAfterChunks = 1;
      server.dropAt = 'mid-body';
      const deps = { base: '', credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };
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
});
