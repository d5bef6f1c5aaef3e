import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { LocalDiskStore } from '../../server/storage/local-disk-store.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { framesBody, headOf, postFrames, postSections, sectionsBody, type TestFrame } from '../helpers/upload-client.js';

// A framed request's chunks kept in one file on the local disk (BlobStore.openPack): each read
// back where it lies — review, `invigil verify`, the scrub. Run on SQLite and again on PostgreSQL
// (scripts/test.mjs); the store is the local disk in both.
const START = Date.parse('2026-12-01T01:00:00Z');
const WEBM = 'video/webm;codecs=vp8,opus';
const OWNER = { exam: 'exam1', candidate: 'cA-1' };
let s: TestServer;
let cred: string;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START }));
  cred = (await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-pack-aaaaaaaaaaa' })).json.uploadCredential;
});
after(() => s.stop());

const packsDir = () => path.join(s.dataDir, 'blobs', 'recordings', 'exam1', 'cA-1', 'packs');
const packs = async () => new Set((await readdir(packsDir()).catch(() => [])).map((f) => path.join(packsDir(), f)));
const frames = (sizes: number[], from = 0): TestFrame[] => sizes.map((n, i) => ({ segment: 0, seq: from + i, bytes: new Uint8Array(randomBytes(n)) }));
async function recording(id: string, kind: string): Promise<void> {
  assert.equal((await s.call('PUT', `/api/recordings/${id}`, { kind, mimeType: WEBM }, bearer(cred))).status, 200);
  assert.equal((await s.call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: START, mimeType: WEBM }, bearer(cred))).status, 204);
}
const complete = async (id: string, chunks: TestFrame[]) =>
  s.call('POST', `/api/recordings/${id}/complete`, { segments: [{ segment: 0, chunks: chunks.length }], chainHead: await headOf(id, chunks) }, bearer(cred));
/** Where a chunk's row says its bytes are. */
const place = async (id: string, seq: number) => s.services.db.selectFrom('recording_chunks').select(['pack', 'pack_offset', 'size'])
  .where('recording_id', '=', id).where('segment', '=', 0).where('seq', '=', seq).executeTakeFirstOrThrow();

test('one request of two recordings: one pack file holds every chunk in order; review, ranges and verify read each back byte for byte', async () => {
  await recording('pack-camera-1', 'camera');
  await recording('pack-screen-1', 'screen');
  const camera = frames([40_000, 41_000, 42_000]);
  const screen = frames([9_000, 9_500]);
  const before = await packs();
  const res = await postSections(s.url, cred, sectionsBody([{ recording: 'pack-camera-1', frames: camera }, { recording: 'pack-screen-1', frames: screen }]));
  assert.equal(res.status, 200, await res.text());
  const made = [...await packs()].filter((f) => !before.has(f));
  assert.equal(made.length, 1, 'one file for the request');
  assert.deepEqual(await readFile(made[0] ?? ''), Buffer.concat([...camera, ...screen].map((f) => f.bytes)));
  const offsets = [];
  for (const [id, list] of [['pack-camera-1', camera], ['pack-screen-1', screen]] as const) {
    for (const f of list) {
      const row = await place(id, f.seq);
      assert.equal(path.join(s.dataDir, 'blobs', ...(row.pack ?? '').split('/')), made[0]);
      offsets.push(row.pack_offset);
    }
    assert.equal((await complete(id, list)).status, 200);
  }
  assert.deepEqual(offsets, [0, 40_000, 81_000, 123_000, 132_000]);
  // Review reads a segment piece by piece and by ranges (one across two chunks).
  const whole = Buffer.concat(camera.map((f) => f.bytes));
  const seg = await s.services.recordings.segmentSource(OWNER, 'pack-camera-1', 0);
  assert.deepEqual(Buffer.from(await seg.source.read(0, whole.length)), whole);
  assert.deepEqual(Buffer.from(await seg.ranged.read(39_990, 81_010)), whole.subarray(39_990, 81_010));
  const checks = await s.services.recordings.verifyStored(OWNER);
  for (const id of ['pack-camera-1', 'pack-screen-1']) assert.equal(checks.find((c) => c.id === id)?.intact, true, id);
});

test('a byte gone bad inside a pack: the scrub names that chunk alone, drops it, and the device sends it again', async () => {
  const id = 'pack-camera-2';
  await recording(id, 'camera');
  await s.services.recordings.scrub(Infinity); // what the tests before stored
  const chunks = frames([5_000, 5_000, 5_000]);
  assert.equal((await postFrames(s.url, cred, id, framesBody(chunks))).status, 200);
  const row = await place(id, 1);
  const file = path.join(s.dataDir, 'blobs', ...(row.pack ?? '').split('/'));
  const bytes = await readFile(file);
  const at = (row.pack_offset ?? 0) + 100;
  bytes.writeUInt8((bytes.readUInt8(at) + 1) % 256, at);
  await writeFile(file, bytes);
  const report = await s.services.recordings.scrub(Infinity);
  assert.deepEqual(report.damaged.map((d) => [d.recordingId, d.seq, d.verified]), [[id, 1, false]]);
  const res = await complete(id, chunks);
  assert.equal(res.status, 409);
  assert.deepEqual(res.json.details.missing, [{ segment: 0, seq: 1 }]);
  assert.equal((await postFrames(s.url, cred, id, framesBody(chunks))).status, 200);
  assert.equal((await complete(id, chunks)).status, 200);
  // Sent again into the candidate's pack (shared by its requests for a while): after the damaged copy.
  const again = await place(id, 1);
  assert.ok(again.pack !== row.pack || (again.pack_offset ?? 0) > (row.pack_offset ?? 0), 'sent again: written anew, not over the damaged copy');
  const seg = await s.services.recordings.segmentSource(OWNER, id, 0);
  assert.deepEqual(Buffer.from(await seg.source.read(0, 15_000)), Buffer.concat(chunks.map((f) => f.bytes)));
});

test('a pack cut short (the power went before its sync) reads as missing, not as other bytes: verify names the chunk', async () => {
  const id = 'pack-camera-3';
  await recording(id, 'camera');
  const chunks = frames([3_000, 3_000]);
  assert.equal((await postFrames(s.url, cred, id, framesBody(chunks))).status, 200);
  assert.equal((await complete(id, chunks)).status, 200);
  const row = await place(id, 1);
  await truncate(path.join(s.dataDir, 'blobs', ...(row.pack ?? '').split('/')), (row.pack_offset ?? 0) + 1_000);
  const check = (await s.services.recordings.verifyStored(OWNER)).find((c) => c.id === id);
  assert.equal(check?.intact, false);
  assert.deepEqual(check?.bad.map((b) => [b.seq, b.found]), [[1, null]]);
});

test('two requests race for one chunk with different bodies: one stands, the other is refused; the winner reads back', async () => {
  const id = 'pack-camera-4';
  await recording(id, 'camera');
  const [a, b] = [frames([7_000]), frames([7_000])];
  type Reply = { frames: { stored: boolean }[]; refused?: { code: string } };
  const replies = await Promise.all([a, b].map(async (f) => (await postFrames(s.url, cred, id, framesBody(f))).json() as Promise<Reply>));
  const won = replies.map((r) => r.frames[0]?.stored === true);
  assert.deepEqual(won.filter(Boolean).length, 1, JSON.stringify(replies));
  assert.equal(replies[won.indexOf(false)]?.refused?.code, 'conflict');
  const winner = won[0] ? a : b;
  const seg = await s.services.recordings.segmentSource(OWNER, id, 0);
  assert.deepEqual(Buffer.from(await seg.source.read(0, 7_000)), Buffer.from(winner[0]?.bytes ?? []));
  assert.equal((await complete(id, winner)).status, 200);
});

test('a candidate\'s requests share one pack for a while: one file, one directory sync; each chunk reads back where its row says', async () => {
  const id = 'pack-camera-5';
  await recording(id, 'camera');
  const disk = s.services.blobs;
  assert.ok(disk instanceof LocalDiskStore, 'the local disk store');
  await s.services.recordings.closePacks();
  const [before, dirSyncs] = [await packs(), disk.dirSyncCount];
  const [first, second] = [frames([6_000, 6_100]), frames([6_200, 6_300], 2)];
  for (const f of [first, second]) assert.equal((await postFrames(s.url, cred, id, framesBody(f))).status, 200);
  const made = [...await packs()].filter((f) => !before.has(f));
  assert.equal(made.length, 1, 'one file for both requests');
  assert.equal(disk.dirSyncCount - dirSyncs, 1, 'its name made durable once');
  assert.deepEqual(await readFile(made[0] ?? ''), Buffer.concat([...first, ...second].map((f) => f.bytes)));
  assert.equal((await complete(id, [...first, ...second])).status, 200);
});

test('the shared pack is deleted under it (an erasure): the next chunk is not acknowledged into it; sent again, it lands in a new pack', async () => {
  const id = 'pack-camera-6';
  await recording(id, 'camera');
  assert.equal((await postFrames(s.url, cred, id, framesBody(frames([4_000])))).status, 200);
  const shared = (await place(id, 0)).pack;
  await rm(packsDir(), { recursive: true });
  const next = frames([4_100], 1);
  // A failed write fails the request (5xx: the device sends it again); nothing of it is held.
  assert.equal((await postFrames(s.url, cred, id, framesBody(next))).status, 500);
  const held = await s.call('GET', `/api/recordings/${id}`, undefined, bearer(cred));
  assert.deepEqual(held.json.segments[0].chunks.map((c: { seq: number }) => c.seq), [0]);
  // The device sends it again.
  const again = await (await postFrames(s.url, cred, id, framesBody(next))).json() as { frames: { stored: boolean }[] };
  assert.deepEqual(again.frames.map((f) => f.stored), [true]);
  const row = await place(id, 1);
  assert.notEqual(row.pack, shared);
  assert.deepEqual(await readFile(path.join(s.dataDir, 'blobs', ...(row.pack ?? '').split('/'))), Buffer.from(next[0]?.bytes ?? []));
});
