import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { examFixture, MIN } from '../helpers/exam-fixture.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// Two server processes' worth of throttles, their counters in one real redis-server (REDIS_URL).
const START = Date.parse('2026-12-01T01:00:00Z');
let redis: TestRedis;
let a: TestServer;
let b: TestServer;

before(async () => {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url };
  a = await startTestServer(START - 20 * MIN, undefined, undefined, env);
  b = await startTestServer(START - 20 * MIN, undefined, undefined, env);
  for (const s of [a, b]) await s.importExam(examFixture({ startAt: START }));
});
after(async () => {
  await a?.stop();
  await b?.stop();
  await redis?.stop();
});

const guess = (s: TestServer, n: number) => s.call('POST', '/api/session/candidate', { candidateId: 'cA-1', ticketCode: `GUESS-${n}`, deviceId: 'device-spread-aaaaaaaa' });

test('guesses spread over two server processes meet one limit (three a second per account)', async () => {
  assert.ok(a.logs.some((l) => l.includes('throttles: counted in Redis')), a.logs.join('\n'));
  assert.equal((await a.call('GET', '/healthz')).json.redis, 'ok');
  const statuses = [(await guess(a, 1)).status, (await guess(b, 2)).status, (await guess(a, 3)).status, (await guess(b, 4)).status];
  assert.deepEqual(statuses, [401, 401, 401, 429], 'the fourth, on the other process, is refused');
  const refused = await guess(a, 5);
  assert.equal(refused.status, 429);
  assert.equal(refused.json.code, 'too_many_attempts');
});

test('with Redis gone, each process counts on its own: logins are still answered, never a 500', async () => {
  await redis.stop();
  await new Promise((r) => setTimeout(r, 1_100));
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await guess(b, 10 + i)).status);
  assert.deepEqual(statuses, [401, 401, 401, 429], 'the per-process counters still limit');
  assert.equal(b.logs.filter((l) => l.includes('throttles: Redis unreachable')).length, 1, 'said once');
  // The balancer keeps the process (it still serves, counting on its own); /healthz says Redis is down.
  const health = await b.call('GET', '/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual([health.json.ok, health.json.redis], [true, 'down']);
});
