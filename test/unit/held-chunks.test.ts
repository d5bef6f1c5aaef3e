import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KyselyPlugin, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { openDb, type Db } from '../../server/db/open.js';
import { openBlobStore } from '../../server/storage/open-store.js';
import { Recordings, RequestRecordings, type ChunkPut } from '../../server/domain/recordings.js';
import { ApiError } from '../../server/http/api-error.js';

// A framed request reads what is already held of each segment once, not once a chunk (on
// PostgreSQL a round trip each): counted here on the statements the domain sends.
const owner = { exam: 'ex-1', candidate: 'cA-1' };
const WEBM = 'video/webm;codecs=vp8,opus';
let dir: string;
let db: Db;
let recordings: Recordings;
const reads: string[] = [];

/** Counts the SELECTs on `recording_chunks`. */
const counting: KyselyPlugin = {
  transformQuery({ node }: { node: RootOperationNode }) {
    if (node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"recording_chunks"')) reads.push(JSON.stringify(node.where));
    return node;
  },
  transformResult: ({ result }: { result: QueryResult<UnknownRow> }) => Promise.resolve(result),
};

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-held-'));
  db = await openDb(dir, {});
  const { store } = await openBlobStore(dir, {});
  recordings = new Recordings(db.withPlugin(counting), store, () => Date.parse('2026-12-01T01:00:00Z'));
  for (const id of ['held-a', 'held-b']) {
    await recordings.create(owner, id, 'camera', WEBM);
    await recordings.addSegment(owner, id, 0, 0, WEBM);
  }
});
after(async () => {
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

const chunk = (seq: number, bytes = new Uint8Array(randomBytes(2_000 + seq))) => ({ seq, bytes });
function put(id: string, c: { seq: number; bytes: Uint8Array }, seen?: RequestRecordings, digestOf = c.bytes): ChunkPut {
  return {
    recordingId: id, segment: 0, seq: c.seq, bytes: c.bytes, digest: new Uint8Array(createHash('sha256').update(digestOf).digest()),
    checkQuota: () => Promise.resolve(), ...(seen ? { seen } : {}),
  };
}

test('one request of 8 chunks, 3 of them held already: one read of what is held, the held three are repeats, the rest stored', async () => {
  const chunks = Array.from({ length: 8 }, (_, i) => chunk(i));
  for (const c of chunks.slice(0, 3)) assert.equal(await recordings.putChunk(owner, put('held-a', c)), true);
  reads.length = 0;
  const seen = new RequestRecordings(256);
  const stored = [];
  for (const c of chunks) stored.push(await recordings.putChunk(owner, put('held-a', c, seen)));
  assert.deepEqual(stored, [false, false, false, true, true, true, true, true]);
  assert.equal(reads.length, 1, `reads of recording_chunks: ${reads.join('\n')}`);
  const status = await recordings.status(owner, 'held-a');
  assert.deepEqual(status.segments[0]?.chunks.map((c) => c.seq), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('in one request, a different body for a held chunk is refused as a conflict and what follows is still stored', async () => {
  const seen = new RequestRecordings(256);
  const other = chunk(1);
  await assert.rejects(recordings.putChunk(owner, put('held-a', other, seen)), (err: unknown) => err instanceof ApiError && err.status === 409);
  assert.equal(await recordings.putChunk(owner, put('held-a', chunk(8), seen)), true);
});

test('a chunk another request stored after this one read what is held: the same body is a repeat, a different one a conflict', async () => {
  const seen = new RequestRecordings(256);
  assert.equal(await recordings.putChunk(owner, put('held-b', chunk(0), seen)), true);
  // Another request stores 1 and 2 meanwhile; this request's read (from seq 0) did not see them.
  const [one, two] = [chunk(1), chunk(2)];
  assert.equal(await recordings.putChunk(owner, put('held-b', one)), true);
  assert.equal(await recordings.putChunk(owner, put('held-b', two)), true);
  assert.equal(await recordings.putChunk(owner, put('held-b', one, seen)), false);
  await assert.rejects(recordings.putChunk(owner, put('held-b', chunk(2), seen)), (err: unknown) => err instanceof ApiError && err.status === 409);
  const status = await recordings.status(owner, 'held-b');
  assert.deepEqual(status.segments[0]?.chunks.map((c) => c.seq), [0, 1, 2]);
  assert.equal(status.segments[0]?.chunks[2]?.sha256, createHash('sha256').update(two.bytes).digest('hex'));
});

test('frames past the window read again from there: still one read per window, not per chunk', async () => {
  const seen = new RequestRecordings(4);
  reads.length = 0;
  for (let seq = 20; seq < 30; seq++) assert.equal(await recordings.putChunk(owner, put('held-b', chunk(seq), seen)), true);
  assert.equal(reads.length, 3, 'seqs 20–23, 24–27, 28–29');
});
