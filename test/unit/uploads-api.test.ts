import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { contentDigestHeader } from '../../src/core/hash-chain.js';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { cutPost, framesBody, headOf, postFrames, putChunk } from '../helpers/upload-client.js';

const START = Date.parse('2026-12-01T01:00:00Z');
const WEBM = 'video/webm;codecs=vp8,opus';
let s: TestServer;
let cred: string;
let otherCred: string;
let sessionToken: string;

before(async () => {
  // The scrub runs only when a test asks (the background one would race the damage done here).
  s = await startTestServer(START - 20 * MIN, undefined, undefined, { ...process.env, SCRUB_BYTES_PER_SECOND: '0' });
  const exam = examFixture({ startAt: START }) as any;
  exam.recording = { maxChunkBytes: 64 * 1024, maxRecordingBytes: 1024 * 1024, maxRecordingsPerKind: 100 };
  await s.importExam(exam);
  const a = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-up-aaaaaaaaaaaa' });
  const b = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-2', ticketCode: 'TA-2', deviceId: 'device-up-bbbbbbbbbbbb' });
  cred = a.json.uploadCredential;
  sessionToken = a.json.token;
  otherCred = b.json.uploadCredential;
});
after(() => s.stop());

const create = (id: string, credential = cred, kind = 'camera') => s.call('PUT', `/api/recordings/${id}`, { kind, mimeType: WEBM }, bearer(credential));
const status = (id: string, credential = cred) => s.call('GET', `/api/recordings/${id}`, undefined, bearer(credential));
const complete = (id: string, segments: { segment: number; chunks: number }[], chainHead: string) =>
  s.call('POST', `/api/recordings/${id}/complete`, { segments, chainHead }, bearer(cred));
const bytes = (n: number) => new Uint8Array(randomBytes(n));

test('a chunk with the right digest is stored; a repeat is success; the listing shows it', async () => {
  assert.equal((await create('rec-basic-1')).status, 200);
  assert.equal((await s.call('PUT', '/api/recordings/rec-basic-1/segments/0', { startedAt: START, mimeType: WEBM }, bearer(cred))).status, 204);
  const body = bytes(5000);
  const first = await putChunk(s.url, cred, 'rec-basic-1', 0, 0, body);
  assert.equal(first.status, 201);
  assert.deepEqual(await first.json(), { stored: true });
  const again = await putChunk(s.url, cred, 'rec-basic-1', 0, 0, body);
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { stored: false });
  const st = await status('rec-basic-1');
  assert.equal(st.json.bytes, 5000);
  assert.equal(st.json.segments[0].startedAt, START);
  assert.deepEqual(st.json.segments[0].chunks.map((c: { seq: number; size: number }) => [c.seq, c.size]), [[0, 5000]]);
});

test('a wrong digest is rejected and nothing is stored; a missing digest is refused', async () => {
  await create('rec-digest-1');
  const res = await putChunk(s.url, cred, 'rec-digest-1', 0, 0, bytes(100), bytes(100));
  assert.equal(res.status, 400);
  assert.equal(((await res.json())).code, 'digest_mismatch');
  const none = await fetch(`${s.url}/api/recordings/rec-digest-1/segments/0/chunks/0`, { method: 'PUT', headers: bearer(cred), body: bytes(10) });
  assert.equal(none.status, 400);
  assert.equal(((await none.json())).code, 'digest_required');
  assert.equal((await status('rec-digest-1')).json.segments.length, 0);
  assert.equal((await status('rec-digest-1')).json.bytes, 0);
});

test('a different body for a stored key is 409 and the first body stays', async () => {
  await create('rec-conflict');
  const a = bytes(300);
  await putChunk(s.url, cred, 'rec-conflict', 0, 0, a);
  const res = await putChunk(s.url, cred, 'rec-conflict', 0, 0, bytes(300));
  assert.equal(res.status, 409);
  assert.equal(((await res.json())).code, 'conflict');
  assert.equal((await complete('rec-conflict', [{ segment: 0, chunks: 1 }], await headOf('rec-conflict', [{ segment: 0, seq: 0, bytes: a }]))).status, 200);
});

test('another candidate\'s recording is 403 for every verb', async () => {
  await create('rec-owned-1');
  assert.equal((await create('rec-owned-1', otherCred)).status, 403);
  assert.equal((await status('rec-owned-1', otherCred)).status, 403);
  assert.equal((await putChunk(s.url, otherCred, 'rec-owned-1', 0, 0, bytes(10))).status, 403);
  const done = await s.call('POST', '/api/recordings/rec-owned-1/complete', { segments: [{ segment: 0, chunks: 0 }], chainHead: '0'.repeat(64) }, bearer(otherCred));
  assert.equal(done.status, 403);
});

test('no, forged, session-token or revoked credential is 401', async () => {
  await create('rec-auth-1');
  assert.equal((await fetch(`${s.url}/api/recordings/rec-auth-1`)).status, 401);
  const [h, p] = cred.split('.');
  assert.equal((await status('rec-auth-1', `${h}.${p}.${'A'.repeat(43)}`)).status, 401);
  assert.equal((await status('rec-auth-1', sessionToken)).status, 401, 'a session token is not an upload credential');
  const c = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-3', ticketCode: 'TA-3', deviceId: 'device-revoke-aaaaaaaa' });
  await s.services.db.updateTable('upload_credentials').set({ revoked_at: s.clock.t }).where('candidate_id', '=', 'cA-3').execute();
  const revoked = await s.call('PUT', '/api/recordings/rec-revoked', { kind: 'camera', mimeType: WEBM }, bearer(c.json.uploadCredential));
  assert.equal(revoked.status, 401);
  assert.match(revoked.json.message, /revoked/);
});

test('oversized chunk and oversized recording are 413; chunks are not held to the 64 KiB JSON limit', async () => {
  await create('rec-size-1');
  const big = await putChunk(s.url, cred, 'rec-size-1', 0, 0, bytes(64 * 1024 + 1));
  assert.equal(big.status, 413);
  assert.equal(((await big.json())).code, 'payload_too_large');
  for (let seq = 0; seq < 16; seq++) assert.equal((await putChunk(s.url, cred, 'rec-size-1', 0, seq, bytes(64 * 1024))).status, 201);
  const over = await putChunk(s.url, cred, 'rec-size-1', 0, 16, bytes(1));
  assert.equal(over.status, 413);
  assert.equal(((await over.json())).code, 'recording_too_large');
});

test('malformed ids and numbers are 400', async () => {
  for (const url of ['/api/recordings/x', '/api/recordings/has%20space']) {
    const res = await s.call('GET', url, undefined, bearer(cred));
    assert.equal(res.status, 400, url);
  }
  await create('rec-malformed');
  for (const [seg, seq] of [['-1', '0'], ['0', 'abc'], ['10000', '0'], ['0', '1.5']]) {
    const res = await fetch(`${s.url}/api/recordings/rec-malformed/segments/${seg}/chunks/${seq}`, { method: 'PUT', headers: { ...bearer(cred), 'content-digest': 'sha-256=:AAAA:' }, body: 'x' });
    assert.equal(res.status, 400, `${seg}/${seq}`);
  }
  assert.equal((await s.call('PUT', '/api/recordings/rec-malformed', { kind: 'movie', mimeType: 'video/mp4' }, bearer(cred))).status, 400);
});

test('completion: missing chunks are listed, a wrong head is refused, the right one verifies', async () => {
  const id = 'rec-complete';
  await create(id);
  const chunks = [0, 1, 2].map((seq) => ({ segment: 0, seq, bytes: bytes(1000 + seq) })).concat([{ segment: 1, seq: 0, bytes: bytes(500) }]);
  for (const c of chunks.slice(0, 2)) await putChunk(s.url, cred, id, c.segment, c.seq, c.bytes);
  await putChunk(s.url, cred, id, 1, 0, chunks[3]!.bytes);
  const head = await headOf(id, chunks);
  const early = await complete(id, [{ segment: 0, chunks: 3 }, { segment: 1, chunks: 1 }], head);
  assert.equal(early.status, 409);
  assert.equal(early.json.code, 'incomplete');
  assert.deepEqual(early.json.details.missing, [{ segment: 0, seq: 2 }]);
  await putChunk(s.url, cred, id, 0, 2, chunks[2]!.bytes);
  const wrong = await complete(id, [{ segment: 0, chunks: 3 }, { segment: 1, chunks: 1 }], '0'.repeat(64));
  assert.equal(wrong.status, 422);
  assert.equal(wrong.json.code, 'chain_mismatch');
  const ok = await complete(id, [{ segment: 0, chunks: 3 }, { segment: 1, chunks: 1 }], head);
  assert.equal(ok.status, 200);
  assert.equal(ok.json.chunks, 4);
  assert.equal(ok.json.bytes, 1000 + 1001 + 1002 + 500);
  assert.equal((await status(id)).json.verifiedAt, ok.json.verifiedAt);
  assert.deepEqual((await complete(id, [{ segment: 0, chunks: 3 }, { segment: 1, chunks: 1 }], head)).json, ok.json, 'idempotent');
  assert.equal((await putChunk(s.url, cred, id, 1, 1, bytes(10))).status, 409, 'a verified recording is closed');
  assert.equal((await putChunk(s.url, cred, id, 0, 0, chunks[0]!.bytes)).status, 200, 'a repeat is still success');
});

test('declaring fewer chunks than the server holds is a conflict', async () => {
  const id = 'rec-extra';
  await create(id);
  const c = [bytes(10), bytes(10)];
  await putChunk(s.url, cred, id, 0, 0, c[0]!);
  await putChunk(s.url, cred, id, 0, 1, c[1]!);
  const res = await complete(id, [{ segment: 0, chunks: 1 }], await headOf(id, [{ segment: 0, seq: 0, bytes: c[0]! }]));
  assert.equal(res.status, 409);
  assert.equal(res.json.code, 'conflict');
});

/** Overwrites the stored file of chunk `seq` of segment 0 with other bytes (the disk went bad). */
async function damage(id: string, seq: number): Promise<void> {
  const dir = path.join(s.dataDir, 'blobs', 'recordings', 'exam1', 'cA-1', id, '0');
  const file = (await readdir(dir)).find((f) => f.startsWith(`${seq}-`))!;
  await writeFile(path.join(dir, file), bytes(2000));
}

test('completion reads no stored byte; the scrub re-reads at a bounded rate, and a chunk it finds damaged before verification is asked for again', async () => {
  const id = 'rec-corrupt';
  await s.services.recordings.scrub(Infinity); // what the tests before stored
  await create(id);
  const c = [bytes(2000), bytes(2000)];
  await putChunk(s.url, cred, id, 0, 0, c[0]!);
  await putChunk(s.url, cred, id, 0, 1, c[1]!);
  await damage(id, 1);
  // A scrub step stops at its byte budget: 2,000 bytes read one chunk.
  const first = await s.services.recordings.scrub(2000);
  assert.deepEqual([first.bytes, first.damaged.length], [2000, 0]);
  const second = await s.services.recordings.scrub(1_000_000);
  assert.deepEqual(second.damaged.map((d) => [d.recordingId, d.seq, d.verified]), [[id, 1, false]]);
  assert.ok(second.chunks >= 1);
  const head = await headOf(id, c.map((b, seq) => ({ segment: 0, seq, bytes: b })));
  const res = await complete(id, [{ segment: 0, chunks: 2 }], head);
  assert.equal(res.status, 409);
  assert.deepEqual(res.json.details.missing, [{ segment: 0, seq: 1 }]);
  assert.equal((await putChunk(s.url, cred, id, 0, 1, c[1]!)).status, 201);
  assert.equal((await complete(id, [{ segment: 0, chunks: 2 }], head)).status, 200);
});

test('a chunk the scrub finds damaged after verification stays listed and is reported on the recording', async () => {
  const id = 'rec-corrupt-2';
  await s.services.recordings.scrub(Infinity);
  await create(id);
  const c = [bytes(2000), bytes(2000)];
  for (const [seq, b] of c.entries()) await putChunk(s.url, cred, id, 0, seq, b);
  await s.services.recordings.scrub(1_000_000);
  // Verified without re-reading (the scrub found both intact); then the disk goes bad.
  assert.equal((await complete(id, [{ segment: 0, chunks: 2 }], await headOf(id, c.map((b, seq) => ({ segment: 0, seq, bytes: b }))))).status, 200);
  await damage(id, 0);
  assert.equal((await s.services.recordings.scrub(1_000_000)).chunks, 0, 'checked chunks are not read again');
  await s.services.db.updateTable('recording_chunks').set({ checked_at: null }).where('recording_id', '=', id).execute();
  const report = await s.services.recordings.scrub(1_000_000);
  assert.deepEqual(report.damaged.map((d) => [d.seq, d.verified]), [[0, true]]);
  const summary = (await s.services.recordings.summary('exam1')).get('cA-1');
  assert.match(summary?.problem ?? '', /chunk 0\/0 no longer matches its digest in the evidence store/);
  assert.equal((await status(id)).json.segments[0].chunks.length, 2);
});

test('concurrent PUTs of one key with two bodies: exactly one wins, the other is 409', async () => {
  const id = 'rec-race';
  await create(id);
  const [a, b] = [bytes(4000), bytes(4000)];
  const results = await Promise.all([putChunk(s.url, cred, id, 0, 0, a), putChunk(s.url, cred, id, 0, 0, b)]);
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
  const winner = results[0].status === 201 ? a : b;
  assert.equal((await complete(id, [{ segment: 0, chunks: 1 }], await headOf(id, [{ segment: 0, seq: 0, bytes: winner }]))).status, 200);
});

/** Sends a chunk PUT's head and the first `sent` bytes of its body over a raw socket, then hangs up (the link cut mid-body). */
function cutUpload(id: string, seq: number, body: Uint8Array, sent: number, credential = cred): Promise<void> {
  const { hostname, port } = new URL(s.url);
  const head = `PUT /api/recordings/${id}/segments/0/chunks/${seq} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${credential}\r\n` +
    `Content-Digest: ${contentDigestHeader(createHash('sha256').update(body).digest())}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname, () => {
      sock.write(Buffer.concat([Buffer.from(head), body.subarray(0, sent)]), () => setTimeout(() => { sock.destroy(); resolve(); }, 50));
    });
    sock.on('error', () => resolve());
  });
}

const headChunk = (id: string, seq: number, body: Uint8Array, credential = cred) => fetch(`${s.url}/api/recordings/${id}/segments/0/chunks/${seq}`, {
  method: 'HEAD', headers: { ...bearer(credential), 'content-digest': contentDigestHeader(createHash('sha256').update(body).digest()) },
});

const resume = (id: string, seq: number, body: Uint8Array, offset: number, rest: Uint8Array = body.subarray(offset)) => fetch(`${s.url}/api/recordings/${id}/segments/0/chunks/${seq}`, {
  method: 'PUT',
  headers: { ...bearer(cred), 'content-type': 'application/octet-stream', 'content-digest': contentDigestHeader(createHash('sha256').update(body).digest()), 'upload-offset': String(offset) },
  body: Buffer.from(rest),
});

/** What HEAD says the server holds of a chunk body, once the cut request has ended on the server. */
async function heldOf(id: string, seq: number, body: Uint8Array): Promise<{ offset: number; complete: string | null }> {
  for (let i = 0; ; i++) {
    const res = await headChunk(id, seq, body);
    assert.equal(res.status, 200);
    const offset = Number(res.headers.get('upload-offset'));
    if (offset > 0 || i > 40) return { offset, complete: res.headers.get('upload-complete') };
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a chunk body cut mid-way resumes: HEAD says how much arrived, the rest completes it, and the whole is checked', async () => {
  await create('rec-resume-1');
  await s.call('PUT', '/api/recordings/rec-resume-1/segments/0', { startedAt: START, mimeType: WEBM }, bearer(cred));
  const body = bytes(60_000);
  assert.deepEqual(await heldOf('rec-resume-1', 0, body).then((h) => h.offset), 0);
  await cutUpload('rec-resume-1', 0, body, 25_000);
  const held = await heldOf('rec-resume-1', 0, body);
  assert.deepEqual(held, { offset: 25_000, complete: '?0' });
  const res = await resume('rec-resume-1', 0, body, held.offset);
  assert.equal(res.status, 201, await res.text());
  const st = await status('rec-resume-1');
  assert.deepEqual(st.json.segments[0].chunks.map((c: { size: number; sha256: string }) => [c.size, c.sha256]), [[60_000, createHash('sha256').update(body).digest('hex')]]);
  // Stored: HEAD says all of it is there (a device whose reply was lost sends nothing more).
  assert.deepEqual(await heldOf('rec-resume-1', 0, body), { offset: 60_000, complete: '?1' });
});

test('a resume the server cannot honour is refused with what it holds; wrong bytes fail the digest and store nothing', async () => {
  await create('rec-resume-2');
  await s.call('PUT', '/api/recordings/rec-resume-2/segments/0', { startedAt: START, mimeType: WEBM }, bearer(cred));
  const body = bytes(40_000);
  const none = await resume('rec-resume-2', 0, body, 10_000);
  assert.equal(none.status, 409);
  assert.deepEqual(await none.json(), { code: 'offset_mismatch', message: 'the server holds 0 bytes of this chunk, not 10000: send it whole', details: { held: 0 } });

  await cutUpload('rec-resume-2', 0, body, 20_000);
  assert.equal((await heldOf('rec-resume-2', 0, body)).offset, 20_000);
  const wrong = await resume('rec-resume-2', 0, body, 20_000, bytes(20_000));
  assert.equal(wrong.status, 400);
  assert.equal((await wrong.json()).code, 'digest_mismatch');
  assert.equal((await status('rec-resume-2')).json.segments[0].chunks.length, 0);
  // The prefix was used up by the failed attempt: the device sends the chunk whole.
  assert.equal((await heldOf('rec-resume-2', 0, body)).offset, 0);
  assert.equal((await putChunk(s.url, cred, 'rec-resume-2', 0, 0, body)).status, 201);

  // Another candidate's credential cannot ask about, or add to, this recording.
  assert.equal((await headChunk('rec-resume-2', 1, body, otherCred)).status, 403);
  const bad = await fetch(`${s.url}/api/recordings/rec-resume-2/segments/0/chunks/1`, { method: 'PUT', headers: { ...bearer(cred), 'upload-offset': 'x', 'content-digest': contentDigestHeader(createHash('sha256').update(body).digest()) }, body: Buffer.from(body) });
  assert.equal(bad.status, 400);
});

/** Sends a framed body's head and its first `sent` bytes, then hangs up. */
function cutFrames(id: string, body: Uint8Array, sent: number): Promise<void> {
  return cutPost(s.url, `/api/recordings/${id}/chunks`, cred, body, sent);
}

const seqsOf = async (id: string): Promise<number[]> => ((await status(id)).json.segments[0].chunks as { seq: number }[]).map((c) => c.seq);

test('v2: several chunks in one framed body are each stored; a repeat is success; the chain verifies', async () => {
  const id = 'rec-frames-1';
  await create(id);
  await s.call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: START, mimeType: WEBM }, bearer(cred));
  // 120 KB in all: over the 64 KiB that JSON bodies may have; each frame within the chunk limit.
  const chunks = [0, 1, 2].map((seq) => ({ segment: 0, seq, bytes: bytes(40_000 + seq) }));
  const res = await postFrames(s.url, cred, id, framesBody(chunks));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { frames: [0, 1, 2].map((seq) => ({ segment: 0, seq, stored: true })) });
  const again = await postFrames(s.url, cred, id, framesBody(chunks.slice(1)));
  assert.deepEqual(await again.json(), { frames: [1, 2].map((seq) => ({ segment: 0, seq, stored: false })) });
  assert.equal((await status(id)).json.bytes, 120_003);
  const done = await complete(id, [{ segment: 0, chunks: 3 }], await headOf(id, chunks));
  assert.equal(done.status, 200, JSON.stringify(done.json));
});

test('v2: a frame with a wrong digest is refused and nothing after it is stored; the reply names it', async () => {
  const id = 'rec-frames-2';
  await create(id);
  await s.call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: START, mimeType: WEBM }, bearer(cred));
  const frames = [{ segment: 0, seq: 0, bytes: bytes(500) }, { segment: 0, seq: 1, bytes: bytes(500), digestOf: bytes(500) }, { segment: 0, seq: 2, bytes: bytes(500) }];
  const res = await postFrames(s.url, cred, id, framesBody(frames));
  assert.equal(res.status, 200);
  const reply = await res.json();
  assert.deepEqual(reply.frames, [{ segment: 0, seq: 0, stored: true }]);
  assert.deepEqual([reply.refused.seq, reply.refused.code], [1, 'digest_mismatch']);
  assert.deepEqual(await seqsOf(id), [0]);
  // A frame over the exam's chunk limit is refused before its bytes are read; a malformed body too.
  const big = await postFrames(s.url, cred, id, framesBody([{ segment: 0, seq: 5, bytes: bytes(64 * 1024 + 1) }]));
  assert.equal(big.status, 413);
  const garbage = await postFrames(s.url, cred, id, new Uint8Array(100));
  assert.equal(garbage.status, 400);
  assert.match((await garbage.json()).message, /IVF1/);
  const short = await postFrames(s.url, cred, id, framesBody([{ segment: 0, seq: 6, bytes: bytes(100) }]).subarray(0, 120));
  assert.equal(short.status, 400);
  assert.equal((await postFrames(s.url, cred, id, framesBody(frames.slice(0, 1)), 'application/octet-stream')).status, 415);
  // Another candidate's credential stores nothing here.
  assert.equal((await postFrames(s.url, otherCred, id, framesBody([{ segment: 0, seq: 3, bytes: bytes(10) }]))).status, 403);
  assert.deepEqual(await seqsOf(id), [0]);
});

test('v2: a body cut inside a frame keeps the frames before it; the cut frame resumes with a v1 PUT from where it stopped', async () => {
  const id = 'rec-frames-3';
  await create(id);
  await s.call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: START, mimeType: WEBM }, bearer(cred));
  const chunks = [0, 1, 2].map((seq) => ({ segment: 0, seq, bytes: bytes(40_000) }));
  const body = framesBody(chunks);
  // Two whole frames and 7,000 bytes of the third.
  await cutFrames(id, body, 3 * 48 + 2 * 40_000 + 7_000);
  const third = chunks[2]!.bytes;
  const held = await heldOf(id, 2, third);
  assert.deepEqual(held, { offset: 7_000, complete: '?0' });
  assert.deepEqual(await seqsOf(id), [0, 1]);
  // The recording's status says so too, to whichever context of the device asks next (no HEAD needed).
  const partialOf = async (): Promise<unknown> => (await status(id)).json.partial as unknown;
  assert.deepEqual(await partialOf(), [{ segment: 0, seq: 2, sha256: createHash('sha256').update(third).digest('hex'), bytes: 7_000 }]);
  const again = (await create(id)).json;
  assert.deepEqual(again.partial, await partialOf(), 'the device\'s PUT (ensure) answers with the same');
  const res = await resume(id, 2, third, held.offset);
  assert.equal(res.status, 201, await res.text());
  assert.deepEqual(await partialOf(), []);
  assert.equal((await complete(id, [{ segment: 0, chunks: 3 }], await headOf(id, chunks))).status, 200);
});
