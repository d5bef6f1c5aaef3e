import { expect } from '@open-wc/testing';
import { deleteDB, openDB } from 'idb';
import { DB_NAME, closeDb } from '../../src/storage/db.js';
import {
  StorageFullError, allChunks, appendChunk, ensureRecording, getRecording, isStorageFull, markPending, markUploaded, openSegment, pendingBatch,
} from '../../src/storage/recording-store.js';

const base = (id: string) => ({
  id, examId: 'e', candidateId: 'c', kind: 'camera' as const, mimeType: 'video/webm', createdAt: 0, state: 'recording' as const,
  segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null, chainHead: 'h0',
});
const blob = (n: number) => new Blob([new Uint8Array(n)]);

async function recordN(id: string, n: number): Promise<void> {
  await ensureRecording(base(id));
  await openSegment(id, 1, 'video/webm');
  for (let seq = 0; seq < n; seq++) await appendChunk({ recordingId: id, segment: 0, seq, blob: blob(100), size: 100, sha256: 'a'.repeat(64) }, `h${seq}`, `h${seq + 1}`);
}

describe('the upload pass walks only what the server has not acknowledged', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('pending chunks come from the index; acknowledged bytes are kept on the recording', async () => {
    await recordN('rec-pending', 50);
    expect((await pendingBatch('rec-pending')).chunks.length).to.equal(50);
    for (let seq = 0; seq < 40; seq++) await markUploaded([['rec-pending', 0, seq]]);
    // Several in one transaction (a framed request's acknowledgements).
    await markUploaded([40, 41, 42, 43, 44, 45, 46, 47].map((seq): [string, number, number] => ['rec-pending', 0, seq]));
    const pending = (await pendingBatch('rec-pending')).chunks;
    expect(pending.map((c) => c.seq)).to.deep.equal([48, 49]);
    expect((await getRecording('rec-pending'))!.uploadedBytes).to.equal(4800);
    expect((await allChunks('rec-pending')).length, 'acknowledged chunks stay until verification').to.equal(50);
    // The server lost two: completion says so, and they are pending again.
    await markPending([['rec-pending', 0, 3], ['rec-pending', 0, 7]]);
    expect((await pendingBatch('rec-pending')).chunks.map((c) => c.seq)).to.deep.equal([3, 7, 48, 49]);
    expect((await getRecording('rec-pending'))!.uploadedBytes).to.equal(4600);
    // Read in batches, each after the last key of the one before, with the recording beside it.
    const first = await pendingBatch('rec-pending', 3);
    expect(first.chunks.map((c) => c.seq)).to.deep.equal([3, 7, 48]);
    expect(first.chunks.every((c) => c.blob.size === 100)).to.equal(true);
    const second = await pendingBatch('rec-pending', 3, first.last);
    expect(second.chunks.map((c) => c.seq)).to.deep.equal([49]);
    expect(second.last).to.deep.equal(['rec-pending', 0, 49]);
    expect(second.rec!.uploadedBytes).to.equal(4600);
    // Marking returns the recording as it now stands; marking twice changes nothing.
    expect((await markUploaded([['rec-pending', 0, 3]]))!.uploadedBytes).to.equal(4700);
    expect((await markUploaded([['rec-pending', 0, 3], ['rec-pending', 0, 7]]))!.uploadedBytes, 'only what was pending counts').to.equal(4800);
    expect((await getRecording('rec-pending'))!.uploadedBytes).to.equal(4800);
  });

  it('a device upgraded from the previous version (v3) gets the index and the acknowledged bytes', async () => {
    const old = await openDB(DB_NAME, 3, {
      upgrade(db) {
        db.createObjectStore('kv');
        db.createObjectStore('recordings', { keyPath: 'id' });
        db.createObjectStore('chunks', { keyPath: ['recordingId', 'segment', 'seq'] }).createIndex('byRecording', 'recordingId');
        db.createObjectStore('outbox', { autoIncrement: true });
      },
    });
    const v3rec: Record<string, unknown> = { ...base('rec-old'), segments: [{ segment: 0, startedAt: 1, mimeType: 'video/webm', chunks: 3 }], bytes: 300 };
    delete v3rec.uploadedBytes;
    await old.put('recordings', v3rec);
    for (let seq = 0; seq < 3; seq++) await old.put('chunks', { recordingId: 'rec-old', segment: 0, seq, blob: blob(100), size: 100, sha256: 'b'.repeat(64), uploaded: seq === 0 });
    old.close();
    expect((await pendingBatch('rec-old')).chunks.map((c) => c.seq)).to.deep.equal([1, 2]);
    expect((await getRecording('rec-old'))!.uploadedBytes).to.equal(100);
  });

  it('another tab upgrading the database mid-write is not a full disk: the write commits, later ones too', async () => {
    await recordN('rec-upgrade', 1);
    const writing = appendChunk({ recordingId: 'rec-upgrade', segment: 0, seq: 1, blob: blob(2_000_000), size: 2_000_000, sha256: 'c'.repeat(64) }, 'h1', 'h2');
    // A newer version of the app opens the database at a higher version while that write runs.
    const newer = openDB(DB_NAME, 99);
    await writing;
    (await newer).close();
    await appendChunk({ recordingId: 'rec-upgrade', segment: 0, seq: 2, blob: blob(100), size: 100, sha256: 'c'.repeat(64) }, 'h2', 'h3');
    expect((await getRecording('rec-upgrade'))!.segments[0]!.chunks).to.equal(3);
  });

  it('only a real shortage is "full"', () => {
    expect(isStorageFull(new StorageFullError('x'))).to.equal(true);
    expect(isStorageFull(Object.assign(new Error('x'), { name: 'StorageWriteError' }))).to.equal(false);
    expect(isStorageFull(new DOMException('aborted', 'AbortError'))).to.equal(false);
  });
});
