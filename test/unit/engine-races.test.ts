import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExamConfigInput } from '../../src/core/exam-schema.js';
import { photoKey } from '../../server/domain/identity.js';
import { sql, type Kysely } from 'kysely';
import { engineOf, lazyCommit } from '../../server/db/engine.js';
import type { Database } from '../../server/db/schema.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';

/**
 * The decisions that must stay unique when requests race, through the real server: on SQLite in
 * the unit pass, on PostgreSQL (its transactions side by side on a pool) in `npm test`'s
 * PostgreSQL pass — the same test, each request sent at once with its rivals.
 */
const START = Date.parse('2026-12-01T01:00:00Z');
const ROOM = 24;
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ id: 'race', startAt: START, rooms: { A: ROOM } }));
  await s.importExam(examFixture({ id: 'race-login', startAt: START, rooms: { A: 10 } }));
  const match = examFixture({ id: 'race-fm', startAt: START, rooms: { A: 4 } }) as any;
  match.face = { match: { enabled: true, threshold: 0.6 } };
  for (const c of match.roster) c.photo = `photos/${c.id}.png`;
  await s.importExam(match as ExamConfigInput);
  for (const c of ['cA-1', 'cA-2', 'cA-3', 'cA-4']) await s.services.blobs.put(photoKey('race-fm', c, `${c}.png`), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
});
after(() => s.stop());

const login = (examId: string, candidateId: string, deviceId: string) =>
  s.call('POST', '/api/session/candidate', { examId, candidateId, ticketCode: `T${candidateId.slice(1)}`, deviceId, takeOver: false });

test('the engine under test is the one the pass asked for', () => {
  assert.equal(engineOf(s.services.db), process.env.INVIGIL_TEST_POSTGRES ? 'postgres' : 'sqlite');
});

test('lottery: a whole room draws at once (each candidate twice) — every number once, each candidate one number', async () => {
  const ids = Array.from({ length: ROOM }, (_, i) => `cA-${i + 1}`);
  const auths = await Promise.all(ids.map(async (id) => {
    const r = await login('race', id, `dev-race-${id}-aaaaaaaa`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const auth = bearer(r.json.token);
    for (const document of ['procedure', 'pledge', 'notice']) assert.equal((await s.call('POST', '/api/candidate/accept', { document }, auth)).status, 200);
    return auth;
  }));
  const draws = await Promise.all([...auths, ...auths].map((auth) => s.call('POST', '/api/candidate/lottery/draw', undefined, auth)));
  for (const d of draws) assert.equal(d.status, 200, JSON.stringify(d.json));
  const numbers = draws.map((d) => d.json.number as number);
  assert.deepEqual(numbers.slice(0, ROOM), numbers.slice(ROOM), 'a candidate drawing twice at once gets one number');
  assert.deepEqual([...numbers.slice(0, ROOM)].sort((a, b) => a - b), Array.from({ length: ROOM }, (_, i) => i + 1));
});

test('one active login: two devices signing in at the same moment — one is in, the other is told, ten times over', async () => {
  for (let round = 0; round < 10; round++) {
    const candidate = `cA-${round + 1}`;
    const tries = await Promise.all(['a', 'b', 'c'].map((d) => login('race-login', candidate, `dev-login-${round}-${d}-aaaaaaaa`)));
    assert.deepEqual(tries.map((t) => t.status).sort(), [200, 409, 409], JSON.stringify(tries.map((t): unknown => t.json)));
    const active = await s.services.db.selectFrom('sessions').select('device_id').where('exam_id', '=', 'race-login')
      .where('subject_id', '=', candidate).where('ended_at', 'is', null).execute();
    assert.equal(active.length, 1, `one active session for ${candidate}`);
  }
});

test('face match: racing reports and racing consents — the first answer stands, and the log agrees with it', async () => {
  for (const candidate of ['cA-1', 'cA-2', 'cA-3']) {
    const r = await login('race-fm', candidate, `dev-fm-${candidate}-aaaaaaaa`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const auth = bearer(r.json.token);
    const consents = await Promise.all([true, true, true].map((consent) => s.call('POST', '/api/candidate/face-match/consent', { consent }, auth)));
    for (const c of consents) assert.equal(c.status, 200, JSON.stringify(c.json));
    const reports = await Promise.all([0.3, 0.7, 0.9, 0.5].map((similarity) => s.call('POST', '/api/candidate/face-match/result', { path: 'matched', similarity }, auth)));
    const paths = new Set(reports.map((x): unknown => x.json.path));
    assert.equal(paths.size, 1, `every reply names the one outcome: ${JSON.stringify(reports.map((x): unknown => x.json))}`);
    const row = await s.services.db.selectFrom('identity_checks').selectAll().where('exam_id', '=', 'race-fm').where('candidate_id', '=', candidate).executeTakeFirstOrThrow();
    const logged = (await s.services.events.list('race-fm', candidate)).filter((e) => e.type === 'face-match');
    assert.equal(logged.length, 1);
    assert.deepEqual(logged[0]?.detail, { path: row.path, liveCheck: row.path !== 'matched', similarity: row.similarity });
  }
});

test('a lazy commit (a chunk row) does not wait for the disk; every other commit still does, even after one failed', async () => {
  const postgres = engineOf(s.services.db) === 'postgres';
  const setting = async (on: Kysely<Database>) => postgres
    ? String((await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(on)).rows[0]?.synchronous_commit)
    : String((await sql<{ synchronous: number }>`pragma synchronous`.execute(on)).rows[0]?.synchronous);
  const [lazy, full] = postgres ? ['off', 'on'] : ['1', '2'];
  const check = async (db: Kysely<Database>) => {
    assert.equal(await setting(db), full, 'an ordinary commit waits for the disk');
    assert.equal(await lazyCommit(db, (trx) => setting(trx)), lazy);
    assert.equal(await setting(db), full, 'and again after');
    await assert.rejects(lazyCommit(db, async (trx) => {
      await trx.insertInto('outages').values({ exam_id: 'race', candidate_id: 'cA-1', started_at: 1, ended_at: 2 }).execute();
      throw new Error('refused');
    }), /refused/);
    assert.equal(await setting(db), full, 'after a lazy transaction that failed');
    const rows = await db.selectFrom('outages').select('candidate_id').where('exam_id', '=', 'race').where('started_at', '=', 1).execute();
    assert.deepEqual(rows, [], 'the failed one was rolled back');
  };
  // The test cluster runs with synchronous_commit off for speed: one connection set as production runs it.
  if (!postgres) return check(s.services.db);
  await s.services.db.connection().execute(async (conn) => {
    await sql`set synchronous_commit = on`.execute(conn);
    try {
      await check(conn);
    } finally {
      await sql`reset synchronous_commit`.execute(conn);
    }
  });
});
