import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { cutPost, framesBody, headOf, postFrames, postSections, sectionsBody } from '../helpers/upload-client.js';
import { FRAMES_TYPE } from '../../src/core/upload-frames.js';

// One request for several recordings of a candidate (docs/api.md, "Several recordings in one
// request"): run on SQLite + disk and again on PostgreSQL + S3 (scripts/test.mjs).
const START = Date.parse('2026-12-01T01:00:00Z');
const WEBM = 'video/webm;codecs=vp8,opus';
let s: TestServer;
let cred: string;
let otherCred: string;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START }));
  const a = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-sec-aaaaaaaaaaa' });
  const b = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-2', ticketCode: 'TA-2', deviceId: 'device-sec-bbbbbbbbbbb' });
  cred = a.json.uploadCredential;
  otherCred = b.json.uploadCredential;
});
after(() => s.stop());

const bytes = (n: number) => new Uint8Array(randomBytes(n));
async function recording(id: string, kind: string, credential = cred): Promise<void> {
  assert.equal((await s.call('PUT', `/api/recordings/${id}`, { kind, mimeType: WEBM }, bearer(credential))).status, 200);
  assert.equal((await s.call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: START, mimeType: WEBM }, bearer(credential))).status, 204);
}
const seqsOf = async (id: string): Promise<number[]> =>
  ((await s.call('GET', `/api/recordings/${id}`, undefined, bearer(cred))).json.segments[0].chunks as { seq: number }[]).map((c) => c.seq);

test('sections: the chunks of two recordings in one request are each stored under their own; the reply names them; both chains verify', async () => {
  await recording('sec-camera-1', 'camera');
  await recording('sec-screen-1', 'screen');
  const camera = [0, 1].map((seq) => ({ segment: 0, seq, bytes: bytes(30_000 + seq) }));
  const screen = [0, 1, 2].map((seq) => ({ segment: 0, seq, bytes: bytes(9_000 + seq) }));
  const body = sectionsBody([{ recording: 'sec-camera-1', frames: camera }, { recording: 'sec-screen-1', frames: screen }]);
  const res = await postSections(s.url, cred, body);
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(await res.json(), {
    frames: [
      ...camera.map((c) => ({ recording: 'sec-camera-1', segment: 0, seq: c.seq, stored: true })),
      ...screen.map((c) => ({ recording: 'sec-screen-1', segment: 0, seq: c.seq, stored: true })),
    ],
  });
  // Sent again (the reply was lost): held already.
  const again = await (await postSections(s.url, cred, body)).json();
  assert.deepEqual(again.frames.map((f: { stored: boolean }) => f.stored), [false, false, false, false, false]);
  for (const [id, chunks] of [['sec-camera-1', camera], ['sec-screen-1', screen]] as const) {
    const done = await s.call('POST', `/api/recordings/${id}/complete`, { segments: [{ segment: 0, chunks: chunks.length }], chainHead: await headOf(id, chunks) }, bearer(cred));
    assert.equal(done.status, 200, JSON.stringify(done.json));
    assert.equal(done.json.bytes, chunks.reduce((n, c) => n + c.bytes.length, 0));
  }
});

test('sections: a recording of someone else, an unknown one, a frame before any section are refused by name; nothing after is stored', async () => {
  await recording('sec-camera-2', 'camera');
  await recording('sec-other-2', 'camera', otherCred);
  const mine = { recording: 'sec-camera-2', frames: [{ segment: 0, seq: 0, bytes: bytes(100) }] };
  const later = { recording: 'sec-camera-2', frames: [{ segment: 0, seq: 1, bytes: bytes(100) }] };
  const theirs = await (await postSections(s.url, cred, sectionsBody([mine, { recording: 'sec-other-2', frames: [{ segment: 0, seq: 0, bytes: bytes(10) }] }, later]))).json();
  assert.deepEqual(theirs.frames, [{ recording: 'sec-camera-2', segment: 0, seq: 0, stored: true }]);
  assert.deepEqual([theirs.refused.recording, theirs.refused.code], ['sec-other-2', 'forbidden']);
  assert.deepEqual(await seqsOf('sec-camera-2'), [0], 'the frame after the refused one is not stored');
  const unknown = await (await postSections(s.url, cred, sectionsBody([{ recording: 'sec-nobody-2', frames: later.frames }]))).json();
  assert.deepEqual([unknown.frames, unknown.refused.code], [[], 'not_found']);
  const bare = await (await postSections(s.url, cred, framesBody(later.frames))).json();
  assert.deepEqual([bare.refused.code, bare.refused.recording], ['bad_request', undefined]);
  assert.match(bare.refused.message, /begins with a section/);
  // A section sent to one recording's route is refused: that route takes one recording's frames.
  const misplaced = await (await postFrames(s.url, cred, 'sec-camera-2', sectionsBody([later]))).json();
  assert.equal(misplaced.refused.code, 'bad_request');
  const badId = await postSections(s.url, cred, sectionsBody([{ recording: 'x', frames: later.frames }]));
  assert.equal((await badId.json()).refused.code, 'bad_request');
  assert.deepEqual(await seqsOf('sec-camera-2'), [0]);
  // Without a credential, nothing is read.
  assert.equal((await fetch(`${s.url}/api/recordings/chunks`, { method: 'POST', body: new Uint8Array(sectionsBody([later])) })).status, 401);
});

test('sections: a body cut inside the second recording\'s frame keeps the first\'s and lists what arrived of the cut one under its recording', async () => {
  await recording('sec-camera-3', 'camera');
  await recording('sec-screen-3', 'screen');
  const camera = [{ segment: 0, seq: 0, bytes: bytes(20_000) }];
  const screen = [{ segment: 0, seq: 0, bytes: bytes(20_000) }];
  const body = sectionsBody([{ recording: 'sec-camera-3', frames: camera }, { recording: 'sec-screen-3', frames: screen }]);
  await cutPost(s.url, '/api/recordings/chunks', cred, body, body.length - 5_000);
  assert.deepEqual(await seqsOf('sec-camera-3'), [0]);
  assert.deepEqual(await seqsOf('sec-screen-3'), []);
  const partial = (await s.call('GET', '/api/recordings/sec-screen-3', undefined, bearer(cred))).json.partial;
  assert.deepEqual(partial, [{ segment: 0, seq: 0, sha256: createHash('sha256').update(screen[0]!.bytes).digest('hex'), bytes: 15_000 }]);
  assert.deepEqual((await s.call('GET', '/api/recordings/sec-camera-3', undefined, bearer(cred))).json.partial, []);
});

test('a recording verified while a request is still adding to it keeps exactly the chunks its chain named: the next frame is refused, no row joins it', async () => {
  // A request reads each recording once (its first chunk) and keeps it for the rest: whether the
  // recording is still open is checked again as each chunk's row is added.
  await recording('sec-closing-1', 'camera');
  const first = [0, 1].map((seq) => ({ segment: 0, seq, bytes: bytes(20_000 + seq) }));
  const late = { segment: 0, seq: 2, bytes: bytes(20_002) };
  let more: (chunk: Uint8Array | null) => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(framesBody(first));
      more = (chunk) => (chunk ? c.enqueue(chunk) : c.close());
    },
  });
  const res = fetch(`${s.url}/api/recordings/sec-closing-1/chunks`, {
    method: 'POST', headers: { authorization: `Bearer ${cred}`, 'content-type': FRAMES_TYPE }, body, duplex: 'half',
  } as RequestInit);
  // The first two are stored (their rows are listed) while the request is still open…
  for (let i = 0; (await seqsOf('sec-closing-1')).length < 2; i++) {
    assert.ok(i < 200, 'the first frames were not stored');
    await new Promise((r) => setTimeout(r, 25));
  }
  // …when a completion beside it verifies the recording with those two.
  const done = await s.call('POST', '/api/recordings/sec-closing-1/complete', { segments: [{ segment: 0, chunks: 2 }], chainHead: await headOf('sec-closing-1', first) }, bearer(cred));
  assert.equal(done.status, 200, JSON.stringify(done.json));
  more(framesBody([late]));
  more(null);
  const reply = await (await res).json() as { frames: { seq: number; stored: boolean }[]; refused?: { seq: number; code: string } };
  assert.deepEqual(reply.frames.map((f) => [f.seq, f.stored]), [[0, true], [1, true]]);
  assert.deepEqual([reply.refused?.seq, reply.refused?.code], [2, 'conflict']);
  assert.deepEqual(await seqsOf('sec-closing-1'), [0, 1]);
  const row = await s.services.db.selectFrom('recordings').select(['bytes', 'verified_at']).where('id', '=', 'sec-closing-1').executeTakeFirstOrThrow();
  assert.equal(row.bytes, 40_001);
  assert.notEqual(row.verified_at, null);
});
