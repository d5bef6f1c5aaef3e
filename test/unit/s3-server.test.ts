import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../server/cli.js';
import { openBlobStore } from '../../server/storage/open-store.js';
import { S3Store } from '../../server/storage/s3-store.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { headOf, putChunk } from '../helpers/upload-client.js';

// The real server with its evidence in an S3-compatible bucket (s3rver from npm), chosen by the environment.
const START = Date.parse('2026-12-01T01:00:00Z');
let s3: TestS3;
let s: TestServer;
let env: NodeJS.ProcessEnv;
let bucket: S3Store;

before(async () => {
  s3 = await startS3();
  env = { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_PREFIX: 'exam-centre-1', AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey };
  s = await startTestServer(START - 20 * MIN, undefined, undefined, env);
  await s.importExam(examFixture({ startAt: START }));
  bucket = new S3Store({ endpoint: s3.endpoint, bucket: s3.bucket, credentials: s3.credentials, prefix: 'exam-centre-1' });
});
after(async () => {
  await s?.stop();
  bucket?.client.destroy();
  await s3?.close();
});

const keysUnder = async (prefix: string) => {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const page = await bucket.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `exam-centre-1/${prefix}` }));
  return (page.Contents ?? []).map((o) => o.Key ?? '');
};

test('a recording uploads into the bucket and verifies; the scrub and the CLI re-read it from the bucket', async () => {
  assert.ok(s.logs.some((l) => l.includes(`storage: S3 bucket ${s3.bucket}/exam-centre-1 at ${s3.endpoint}`)), s.logs.join('\n'));
  const login = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-s3-aaaaaaaaaaaa' });
  const cred = login.json.uploadCredential as string;
  const id = 'rec-s3-1';
  const chunks = [0, 1, 2].map((seq) => ({ segment: 0, seq, bytes: new Uint8Array(30_000).fill(seq + 7) }));
  await s.call('PUT', `/api/recordings/${id}`, { kind: 'camera', mimeType: 'video/webm' }, bearer(cred));
  await s.call('PUT', `/api/recordings/${id}/segments/0`, { startedAt: START - 5 * MIN, mimeType: 'video/webm' }, bearer(cred));
  for (const ch of chunks) assert.equal((await putChunk(s.url, cred, id, 0, ch.seq, ch.bytes)).status, 201);
  const done = await s.call('POST', `/api/recordings/${id}/complete`, { segments: [{ segment: 0, chunks: 3 }], chainHead: await headOf(id, chunks) }, bearer(cred));
  assert.equal(done.status, 200, JSON.stringify(done.json));
  assert.equal(done.json.bytes, 90_000);
  // The scrub (here, or already in the background) re-read every chunk from the bucket: intact.
  assert.deepEqual((await s.services.recordings.scrub(Infinity)).damaged, []);
  const checked = await s.services.db.selectFrom('recording_chunks').select('checked_at').where('recording_id', '=', id).execute();
  assert.deepEqual(checked.map((r) => r.checked_at !== null), [true, true, true]);

  assert.equal((await keysUnder(`recordings/exam1/cA-1/${id}/0/`)).length, 3, 'three chunk objects in the bucket');
  const local = await readdir(path.join(s.dataDir, 'blobs'), { recursive: true }).catch(() => []);
  assert.deepEqual(local.filter((f) => f.startsWith('recordings')), [], 'nothing on the local disk');

  const out: string[] = [];
  const code = await runCli(['verify', 'exam1', 'cA-1'], (l) => out.push(l), (l) => out.push(l), { ...s.env, DATA_DIR: s.dataDir });
  assert.equal(code, 0, out.join('\n'));
  assert.match(out.join('\n'), /all 1 recording\(s\) of cA-1 intact/);
});

test('retention erases a candidate\'s objects from the bucket', async () => {
  const exam = (await s.services.exams.get('exam1'))!;
  assert.ok((await keysUnder('recordings/exam1/cA-1/')).length > 0);
  s.clock.t = exam.times.retentionEndsAt + 1;
  await s.services.retention.sweep();
  assert.deepEqual(await keysUnder('recordings/exam1/cA-1/'), []);
});

test('/healthz: ready while the bucket answers, 503 once it does not (the balancer takes the process out)', async () => {
  const up = await s.call('GET', '/healthz');
  assert.deepEqual([up.status, up.json.db, up.json.store], [200, 'ok', 'ok']);
  await s3.close();
  const down = await s.call('GET', '/healthz');
  assert.deepEqual([down.status, down.json.ok, down.json.db, down.json.store], [503, false, 'ok', 'down']);
});

test('storage settings are checked: an endpoint without a bucket, a bad prefix', async () => {
  await assert.rejects(() => openBlobStore('/tmp/x', { S3_ENDPOINT: 'http://127.0.0.1:9000' }), /S3_ENDPOINT is set but S3_BUCKET is not/);
  await assert.rejects(() => openBlobStore('/tmp/x', { S3_BUCKET: 'b-1', S3_PREFIX: '../up' }), /S3_PREFIX/);
  assert.match((await openBlobStore('/tmp/x', {})).where, /^local disk/);
});
