import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { ExamConfig } from '../../src/core/exam-schema.js';
import { createServices } from '../../server/services.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { startTestServer } from '../helpers/test-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');

/** Every directory and file under `dir` with its permission bits. */
async function modes(dir: string): Promise<{ rel: string; mode: number; isDir: boolean }[]> {
  const out = [{ rel: '.', mode: (await stat(dir)).mode & 0o777, isDir: true }];
  for (const rel of await readdir(dir, { recursive: true })) {
    const st = await stat(path.join(dir, rel));
    out.push({ rel, mode: st.mode & 0o777, isDir: st.isDirectory() });
  }
  return out;
}

test('DATA_DIR is 0700 and every file in it 0600, whatever the umask (database, WAL, key, blobs)', async () => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'invigil-perm-'));
  const dataDir = path.join(parent, 'data');
  const old = process.umask(0);
  try {
    const s = await startTestServer(START - 20 * MIN, dataDir);
    await s.importExam(examFixture({ startAt: START }));
    const login = await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-perm-aaaaaaaaaaa' });
    const jpeg = new Uint8Array(200);
    jpeg.set([0xff, 0xd8, 0xff]);
    const cap = await fetch(`${s.url}/api/candidate/login-capture`, { method: 'POST', headers: { authorization: `Bearer ${login.json.token}`, 'content-type': 'image/jpeg' }, body: jpeg });
    assert.equal(cap.status, 201);
    const all = await modes(dataDir);
    assert.ok(all.some((f) => f.rel === 'invigil.sqlite-wal'), 'the WAL exists while the server runs');
    assert.ok(all.some((f) => f.rel.startsWith('blobs/captures/')), 'a blob was written');
    await s.stop();
    for (const f of all) assert.equal(f.mode, f.isDir ? 0o700 : 0o600, `${f.rel} is ${f.mode.toString(8)}`);
  } finally {
    process.umask(old);
    await rm(parent, { recursive: true, force: true });
  }
});

test('an existing, too open DATA_DIR and database are tightened at start', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-perm-old-'));
  const old = process.umask(0);
  try {
    const s = await createServices(dataDir, { log: () => {} });
    await s.db.destroy();
    const { chmod } = await import('node:fs/promises');
    await chmod(dataDir, 0o755);
    await chmod(path.join(dataDir, 'invigil.sqlite'), 0o644);
    const again = await createServices(dataDir, { log: () => {} });
    await again.db.destroy();
    assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
    assert.equal((await stat(path.join(dataDir, 'invigil.sqlite'))).mode & 0o777, 0o600);
  } finally {
    process.umask(old);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('ticket codes are stored only as keyed hashes; login still works; legacy clear codes are sealed at start', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-codes-'));
  try {
    const s = await startTestServer(START - 20 * MIN, dataDir);
    await s.importExam(examFixture({ startAt: START }));
    assert.equal((await s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: 'TA-1', deviceId: 'device-codes-aaaaaaaaaa' })).status, 200);
    assert.equal((await s.call('POST', '/api/session/candidate', { candidateId: 'cA-2', ticketCode: 'TA-1', deviceId: 'device-codes-bbbbbbbbbb' })).status, 401);
    // An exam stored in clear by an older version, as it sits in the database file.
    const legacy = ExamConfig.parse(examFixture({ id: 'legacy', startAt: START }));
    await s.services.db.insertInto('exams').values({ id: 'legacy', config: JSON.stringify(legacy), imported_at: 1 }).execute();
    await s.stop();

    const restarted = await startTestServer(START - 20 * MIN, dataDir);
    assert.ok(restarted.logs.some((l) => l.includes('ticket codes imported in clear are now kept only as keyed hashes')));
    const named = await restarted.call('POST', '/api/session/candidate', { examId: 'legacy', candidateId: 'cA-3', ticketCode: 'TA-3', deviceId: 'device-codes-cccccccccc' });
    assert.equal(named.status, 200);
    await restarted.stop();
    const db = new SQLite(path.join(dataDir, 'invigil.sqlite'), { readonly: true });
    const rows = db.prepare('select config from exams').all() as { config: string }[];
    db.close();
    const raw = rows.map((r) => r.config).join('\n') + (await readFile(path.join(dataDir, 'invigil.sqlite'))).toString('latin1');
    for (const code of ['TA-1', 'TA-2', 'TA-3', 'TB-1']) assert.ok(!raw.includes(`"${code}"`), `${code} is not stored in clear`);
    assert.match(rows[0]!.config, /"ticketCodeHash":"hmac-sha256:[0-9a-f]{64}"/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('temporary blob files left by a crash are removed at start', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-tmp-'));
  try {
    const s = await createServices(dataDir, { log: () => {}, serving: true });
    await s.blobs.put('recordings/e/c/r/0/0-abc.webm-chunk', new Uint8Array([1, 2, 3]));
    await s.db.destroy();
    // A crash between write and rename leaves the temp file; an older version left them beside the target.
    await writeFile(path.join(dataDir, 'blobs', '.tmp', '0123456789abcdef'), 'partial');
    await mkdir(path.join(dataDir, 'blobs', 'recordings', 'e', 'c', 'r', '1'), { recursive: true });
    await writeFile(path.join(dataDir, 'blobs', 'recordings', 'e', 'c', 'r', '1', '0-abc.webm-chunk.tmp-0123456789ab'), 'partial');
    await rm(path.join(dataDir, 'blobs', '.tmp-swept-v1'));
    const logs: string[] = [];
    // The CLI or anything else that opens the directory leaves them (a running server may be writing them).
    const peek = await createServices(dataDir, { log: (l) => logs.push(l) });
    await peek.db.destroy();
    assert.ok((await readdir(path.join(dataDir, 'blobs', '.tmp'))).includes('0123456789abcdef'));
    // The process that serves removes them at start.
    const again = await createServices(dataDir, { log: (l) => logs.push(l), serving: true });
    await again.db.destroy();
    const left = await readdir(path.join(dataDir, 'blobs'), { recursive: true });
    assert.deepEqual(left.filter((f) => f.includes('.tmp') && f !== '.tmp' && f !== '.tmp-swept-v1'), []);
    assert.ok(left.includes(path.join('recordings', 'e', 'c', 'r', '0', '0-abc.webm-chunk')), 'stored chunks stay');
    assert.ok(logs.some((l) => /removed 2 temporary file/.test(l)), logs.join('\n'));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('INVIGIL_SECRET: every process of a deployment signs with the same key, none is written to disk; a malformed one stops the start with what to do', async () => {
  const hex = 'a1'.repeat(32);
  const dirs = await Promise.all([1, 2].map(() => mkdtemp(path.join(os.tmpdir(), 'invigil-secret-'))));
  try {
    const env = { INVIGIL_SECRET: hex };
    const [one, two] = await Promise.all(dirs.map((d) => createServices(d, { log: () => {}, env })));
    try {
      assert.deepEqual(Buffer.from(one!.secret).toString('hex'), hex);
      const token = (await one!.signer.signAccess({ role: 'proctor', sub: 'p1', exam: 'e1', sid: 's1' })).token;
      assert.equal((await two!.signer.verifyAccess(token))?.sub, 'p1', 'a token made by one process is good on the other');
      for (const d of dirs) assert.ok(!(await readdir(d)).includes('token-secret.key'));
    } finally {
      for (const s of [one, two]) await s?.db.destroy();
    }
    await assert.rejects(() => createServices(dirs[0]!, { log: () => {}, env: { INVIGIL_SECRET: 'short' } }), /INVIGIL_SECRET must be 64 hex digits .*openssl rand -hex 32/);
  } finally {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
});
