import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { chainHead, fromHex, toHex } from '../../src/core/hash-chain.js';
import { SegmentRecorder } from '../../src/media/segment-recorder.js';
import { pickMimeType } from '../../src/media/pick-mime-type.js';
import { endRecorderWorker, recorderWorker } from '../../src/media/recorder-worker-client.js';
import { DB_NAME, closeDb } from '../../src/storage/db.js';
import { allChunks, getChunk, getRecording, markStopped, markVerified } from '../../src/storage/recording-store.js';

const WORKER = new URL('../../workers/recorder.worker.ts', import.meta.url);
const sha256 = async (b: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>));
const EBML_MAGIC = '1a45dfa3';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function firstBytes(key: [string, number, number]): Promise<string> {
  const chunk = await getChunk(key);
  return toHex(new Uint8Array(await chunk!.blob.slice(0, 4).arrayBuffer()));
}

describe('recording: fake camera → MediaRecorder → recorder.worker → IndexedDB', function () {
  this.timeout(30_000);
  let stream: MediaStream;

  beforeEach(async () => {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
  });
  afterEach(async () => {
    stream.getTracks().forEach((t) => t.stop());
    endRecorderWorker();
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('stores every chunk with its hash chained; a second run is a new, self-contained segment', async () => {
    const worker = recorderWorker(WORKER);
    const recording = { id: 'rec-browser-1', examId: 'e', candidateId: 'c', kind: 'camera' as const, mimeType: pickMimeType(true) };
    const persisted: number[] = [];
    const opts = { recording, worker, now: () => 1_000_000, videoBitsPerSecond: 300_000, audioBitsPerSecond: 32_000, timesliceMs: 500, onPersisted: (r: { persistMs: number }) => persisted.push(r.persistMs) };

    const first = new SegmentRecorder(stream, opts);
    expect(await first.start()).to.equal(0);
    await sleep(2_600);
    await first.stopSegment();
    // A reload: a new recorder on the same recording set.
    const second = new SegmentRecorder(stream, opts);
    expect(await second.start()).to.equal(1);
    await sleep(1_200);
    await second.stopSegment();

    const rec = (await getRecording('rec-browser-1'))!;
    const index = await allChunks('rec-browser-1');
    expect(rec.segments.map((s) => s.segment)).to.deep.equal([0, 1]);
    expect(rec.segments[0]!.chunks).to.be.at.least(4);
    expect(rec.segments[1]!.chunks).to.be.at.least(2);
    expect(index.length).to.equal(rec.segments[0]!.chunks + rec.segments[1]!.chunks);
    expect(persisted.length).to.equal(index.length);
    expect(rec.bytes).to.equal(index.reduce((n, c) => n + c.size, 0));
    expect(first.maxInFlight).to.be.at.most(3);

    // The stored head is the chain over the stored bytes, re-hashed here.
    const digests = [];
    for (const c of index) {
      const chunk = (await getChunk([c.recordingId, c.segment, c.seq]))!;
      const digest = await sha256(new Uint8Array(await chunk.blob.arrayBuffer()));
      expect(toHex(digest)).to.equal(c.sha256);
      digests.push({ segment: c.segment, seq: c.seq, digest });
    }
    expect(toHex(await chainHead(sha256, 'rec-browser-1', digests))).to.equal(rec.chainHead);
    expect(fromHex(rec.chainHead).length).to.equal(32);

    // Each segment starts with its own webm (EBML) header, so it plays on its own.
    expect(await firstBytes(['rec-browser-1', 0, 0])).to.equal(EBML_MAGIC);
    expect(await firstBytes(['rec-browser-1', 1, 0])).to.equal(EBML_MAGIC);
    expect(await firstBytes(['rec-browser-1', 0, 1])).to.not.equal(EBML_MAGIC);
  });

  it('chunks are cleared only after verification of a stopped recording', async () => {
    const worker = recorderWorker(WORKER);
    const recording = { id: 'rec-browser-2', examId: 'e', candidateId: 'c', kind: 'camera' as const, mimeType: pickMimeType(true) };
    const r = new SegmentRecorder(stream, { recording, worker, now: () => 5, videoBitsPerSecond: 300_000, timesliceMs: 400 });
    await r.start();
    await sleep(1_000);
    await r.stopSegment();
    const stored = (await allChunks('rec-browser-2')).length;
    expect(stored).to.be.greaterThan(0);
    let refused = false;
    try {
      await markVerified('rec-browser-2', 10);
    } catch {
      refused = true;
    }
    expect(refused, 'a recording still in progress is never cleared').to.equal(true);
    expect((await allChunks('rec-browser-2')).length).to.equal(stored);
    await markStopped('rec-browser-2');
    await markVerified('rec-browser-2', 10);
    expect((await allChunks('rec-browser-2')).length).to.equal(0);
    const rec = (await getRecording('rec-browser-2'))!;
    expect(rec.state).to.equal('verified');
    expect(rec.verifiedAt).to.equal(10);
  });
});

describe('recording store: closed segments and stopped recordings take no more chunks', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('refuses a late chunk for an older segment or a stopped recording, keeping the chain as it was', async () => {
    const { ensureRecording, openSegment, appendChunk } = await import('../../src/storage/recording-store.js');
    const base = { id: 'rec-late', examId: 'e', candidateId: 'c', kind: 'camera' as const, mimeType: 'video/webm', createdAt: 0, state: 'recording' as const, segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null, chainHead: 'h0' };
    await ensureRecording(base);
    await openSegment('rec-late', 1, 'video/webm');
    const blob = new Blob([new Uint8Array([1, 2, 3])]);
    const sha = 'a'.repeat(64);
    await appendChunk({ recordingId: 'rec-late', segment: 0, seq: 0, blob, size: 3, sha256: sha }, 'h0', 'h1');
    await openSegment('rec-late', 2, 'video/webm');
    let refused = '';
    try {
      await appendChunk({ recordingId: 'rec-late', segment: 0, seq: 1, blob, size: 3, sha256: sha }, 'h1', 'h2');
    } catch (err) {
      refused = String(err);
    }
    expect(refused).to.contain('closed');
    await markStopped('rec-late');
    refused = '';
    try {
      await appendChunk({ recordingId: 'rec-late', segment: 1, seq: 0, blob, size: 3, sha256: sha }, 'h1', 'h2');
    } catch (err) {
      refused = String(err);
    }
    expect(refused).to.contain('closed');
    const rec = (await getRecording('rec-late'))!;
    expect(rec.chainHead).to.equal('h1');
    expect((await allChunks('rec-late')).length).to.equal(1);
  });
});
