import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createServices } from '../../server/services.js';
import { ExamConfig } from '../../src/core/exam-schema.js';
import { runCli } from '../../server/cli.js';
import { verifyPassword } from '../../server/auth/password.js';
import { examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, writeJson } from '../helpers/test-server.js';
import { headOf, putChunk } from '../helpers/upload-client.js';
import { ROOT } from '../helpers/child-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let dir: string;
let dataDir: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-cli-'));
  dataDir = path.join(dir, 'data');
});
after(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI in-process with DATA_DIR set, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = process.env.DATA_DIR;
  process.env.DATA_DIR = dataDir;
  try {
    const code = await runCli(argv, (l) => out.push(l), (l) => err.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  }
}

async function storedTitle(id: string): Promise<string | null> {
  const services = await createServices(dataDir);
  try {
    return (await services.exams.get(id))?.config.title['zh-CN'] ?? null;
  } finally {
    await services.db.destroy();
  }
}

test('import loads a valid exam; re-importing updates it', async () => {
  const exam = examFixture({ id: 'cli-exam', startAt: START });
  const file = await writeJson(dir, 'exam.json', exam);
  const first = await cli('import', file);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /imported exam "cli-exam" \(5 candidates, 2 rooms\)/);
  assert.equal(await storedTitle('cli-exam'), 'Test exam');
  await writeJson(dir, 'exam.json', { ...exam, title: { 'zh-CN': '新标题' } });
  assert.equal((await cli('import', file)).code, 0);
  assert.equal(await storedTitle('cli-exam'), '新标题');
});

test('an invalid file prints every problem with its path, exits non-zero and changes nothing', async () => {
  const exam = examFixture({ id: 'cli-exam', startAt: START }) as any;
  exam.title = { 'zh-CN': '不应写入' };
  exam.roster[0].room = 'nowhere';
  exam.timeline.readingMinutes = -1;
  delete exam.helpLine;
  const file = await writeJson(dir, 'bad.json', exam);
  const res = await cli('import', file);
  assert.equal(res.code, 1);
  assert.match(res.err, /3 problem\(s\), nothing was imported/);
  assert.match(res.err, /roster\[0\]\.room: unknown room "nowhere"/);
  assert.match(res.err, /timeline\.readingMinutes: /);
  assert.match(res.err, /helpLine: /);
  assert.equal(await storedTitle('cli-exam'), '新标题', 'the stored exam is unchanged');
});

test('not JSON, a missing file and a missing reference photo are each reported', async () => {
  const notJson = await writeJson(dir, 'broken.json', '{ "id": ');
  assert.match((await cli('import', notJson)).err, /\(file\): not valid JSON/);
  assert.match((await cli('import', path.join(dir, 'missing.json'))).err, /\(file\): cannot read/);
  const exam = examFixture({ id: 'photo-exam', startAt: START }) as any;
  exam.roster[1].photo = 'photos/nobody.jpg';
  const res = await cli('import', await writeJson(dir, 'photo.json', exam));
  assert.equal(res.code, 1);
  assert.match(res.err, /roster\[1\]\.photo: no such file/);
  assert.equal(await storedTitle('photo-exam'), null);
});

test('reference photos are stored by content: a JPEG named .jpg is kept, text or a misnamed PNG is refused', async () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('rest of a jpeg')]);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await writeFile(path.join(dir, 'cA-1.jpg'), jpeg);
  await writeFile(path.join(dir, 'not-a-photo.jpg'), 'jpeg bytes');
  await writeFile(path.join(dir, 'really-png.jpg'), png);
  const bad = examFixture({ id: 'photo-bad', startAt: START }) as any;
  bad.roster[0].photo = 'not-a-photo.jpg';
  bad.roster[1].photo = 'really-png.jpg';
  const refused = await cli('import', await writeJson(dir, 'photo-bad.json', bad));
  assert.equal(refused.code, 1);
  assert.match(refused.err, /roster\[0\]\.photo: .*not a JPEG, PNG or WebP image/);
  assert.match(refused.err, /roster\[1\]\.photo: .*is a PNG image; give it that extension/);
  assert.equal(await storedTitle('photo-bad'), null);

  const exam = examFixture({ id: 'photo-ok', startAt: START }) as any;
  exam.roster[0].photo = 'cA-1.jpg';
  const res = await cli('import', await writeJson(dir, 'photo-ok.json', exam));
  assert.equal(res.code, 0, res.err);
  const stored = await readFile(path.join(dataDir, 'blobs', 'photos', 'photo-ok', `${exam.roster[0].id}.jpg`));
  assert.deepEqual(stored, jpeg);
});

test('unknown commands print usage and exit 2', async () => {
  const res = await cli('frobnicate');
  assert.equal(res.code, 2);
  assert.match(res.err, /usage:/);
});

test('`npx invigil` runs the bin: hash-password from stdin, import by path', async () => {
  const run = promisify(execFile);
  const child = run('npx', ['--no-install', 'invigil', 'hash-password'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } });
  child.child.stdin!.end('s3cret\n');
  const { stdout } = await child;
  assert.equal(await verifyPassword('s3cret', stdout.trim()), true);
  const file = await writeJson(dir, 'npx.json', examFixture({ id: 'npx-exam', startAt: START }));
  const res = await run('npx', ['--no-install', 'invigil', 'import', file], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } });
  assert.match(res.stdout, /imported exam "npx-exam"/);
});

test('the README\'s example exam imports as documented', async () => {
  const res = await cli('import', path.join(ROOT, 'examples/exam.example.json'));
  assert.equal(res.code, 0, res.err);
  assert.match(res.out, /imported exam "assessment-2026-spring" \(2 candidates, 1 rooms\)/);
});

test('a running server sees a re-import at once, even within the same millisecond', async () => {
  const services = await createServices(path.join(dir, 'same-ms'), { now: () => 42 });
  try {
    const exam = examFixture({ id: 'same-ms', startAt: START });
    await services.exams.put(ExamConfig.parse(exam));
    assert.equal((await services.exams.get('same-ms'))?.config.title['zh-CN'], 'Test exam');
    await services.exams.put(ExamConfig.parse({ ...exam, title: { 'zh-CN': '改过' } }));
    assert.equal((await services.exams.get('same-ms'))?.config.title['zh-CN'], '改过');
  } finally {
    await services.db.destroy();
  }
});

test('verify re-reads a candidate\'s stored chunks and derives the chain again; a flipped byte is named by its chunk', async () => {
  const verifyDir = path.join(dir, 'verify-data');
  const s = await startTestServer(START - 20 * 60_000, verifyDir);
  try {
    await s.importExam(examFixture({ id: 'vexam', startAt: START }));
    const c = await s.call('POST', '/api/session/candidate', { examId: 'vexam', candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-verify-aaaaaaa' });
    const cred = c.json.uploadCredential as string;
    const chunks = [0, 1, 2].map((seq) => ({ segment: 0, seq, bytes: new Uint8Array(1000).fill(seq + 1) }));
    await s.call('PUT', '/api/recordings/rec-verify-1', { kind: 'camera', mimeType: 'video/webm' }, bearer(cred));
    await s.call('PUT', '/api/recordings/rec-verify-1/segments/0', { startedAt: START - 10 * 60_000, mimeType: 'video/webm' }, bearer(cred));
    for (const ch of chunks) assert.equal((await putChunk(s.url, cred, 'rec-verify-1', 0, ch.seq, ch.bytes)).status, 201);
    const done = await s.call('POST', '/api/recordings/rec-verify-1/complete', { segments: [{ segment: 0, chunks: 3 }], chainHead: await headOf('rec-verify-1', chunks) }, bearer(cred));
    assert.equal(done.status, 200);
  } finally {
    await s.stop();
  }
  const saved = dataDir;
  dataDir = verifyDir;
  try {
    const intact = await cli('verify', 'vexam', 'cA-1');
    assert.equal(intact.code, 0, intact.err);
    assert.match(intact.out, /camera rec-verify-1: 3 chunks, 3000 bytes, verified/);
    assert.match(intact.out, /\(matches\)/);
    assert.match(intact.out, /all 1 recording\(s\) of cA-1 intact/);

    // One byte of the middle chunk flipped on disk.
    const file = (await readdir(path.join(verifyDir, 'blobs/recordings/vexam/cA-1/rec-verify-1/0'))).find((f) => f.startsWith('1-'))!;
    const at = path.join(verifyDir, 'blobs/recordings/vexam/cA-1/rec-verify-1/0', file);
    const bytes = await readFile(at);
    bytes.writeUInt8(bytes.readUInt8(500) ^ 0xff, 500);
    await writeFile(at, bytes);
    const flipped = await cli('verify', 'vexam', 'cA-1');
    assert.equal(flipped.code, 1);
    assert.match(flipped.err, /chunk 0\/1: stored bytes hash to [0-9a-f]{64}, recorded [0-9a-f]{64}/);
    assert.doesNotMatch(flipped.err, /chunk 0\/[02]/);
    assert.match(flipped.out, /\(DIFFERS\)/);

    assert.equal((await cli('verify', 'vexam', 'nobody')).code, 1);
    assert.match((await cli('verify', 'nope', 'cA-1')).err, /no exam "nope"/);
  } finally {
    dataDir = saved;
  }
});
