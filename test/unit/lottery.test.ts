import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExamConfig } from '../../src/core/exam-schema.js';
import { createServices } from '../../server/services.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { bearer, startTestServer, type TestServer } from '../helpers/test-server.js';
import { spawnServer } from '../helpers/child-server.js';

const START = Date.parse('2026-12-01T01:00:00Z');
let s: TestServer;

before(async () => {
  s = await startTestServer(START - 20 * MIN);
  await s.importExam(examFixture({ startAt: START, rooms: { A: 30, B: 3 } }));
});
after(() => s.stop());

async function loginAs(id: string): Promise<string> {
  const res = await s.call('POST', '/api/session/candidate', { candidateId: id, ticketCode: `T${id.slice(1)}`, deviceId: `device-${id}-aaaaaaaaaaaa`, takeOver: true });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json.token as string;
}
const draw = (token: string) => s.call('POST', '/api/candidate/lottery/draw', undefined, bearer(token));

test('drawing gives a number in the room range; drawing again gives the same number', async () => {
  const token = await loginAs('cB-1');
  const first = await draw(token);
  assert.equal(first.status, 200);
  assert.equal(first.json.method, 'draw');
  assert.ok(first.json.number >= 1 && first.json.number <= 3);
  for (let i = 0; i < 3; i++) assert.deepEqual((await draw(token)).json, first.json);
  const me = await s.call('GET', '/api/candidate/me', undefined, bearer(token));
  assert.deepEqual(me.json.lottery, first.json);
});

test('30 concurrent draws in one room give 30 distinct numbers 1..30', async () => {
  const tokens = await Promise.all(Array.from({ length: 30 }, (_, i) => loginAs(`cA-${i + 1}`)));
  const results = await Promise.all(tokens.flatMap((t) => [draw(t), draw(t)]));
  for (const r of results) assert.equal(r.status, 200);
  const byCandidate = new Map<number, number>();
  results.forEach((r, i) => {
    const prev = byCandidate.get(Math.floor(i / 2));
    if (prev !== undefined) assert.equal(r.json.number, prev, 'a repeated concurrent draw returns the same number');
    byCandidate.set(Math.floor(i / 2), r.json.number);
  });
  const numbers = [...byCandidate.values()].sort((a, b) => a - b);
  assert.deepEqual(numbers, Array.from({ length: 30 }, (_, i) => i + 1));
});

test('at the deadline everyone without a number gets one, also those who never logged in', async () => {
  await s.importExam(examFixture({ id: 'exam-auto', startAt: START, rooms: { A: 4, B: 2 } }));
  const lottery = s.services.lottery;
  const drawn = await lottery.draw('exam-auto', 'cA-1');
  assert.equal(drawn.method, 'draw');
  await s.scheduler.poke();
  assert.equal(await lottery.get('exam-auto', 'cA-2'), null, 'nothing is assigned before the deadline');
  const t0 = s.clock.t;
  s.clock.t = START - 5 * MIN;
  try {
    await s.scheduler.poke();
    const all = await Promise.all(['cA-1', 'cA-2', 'cA-3', 'cA-4', 'cB-1', 'cB-2'].map((id) => lottery.get('exam-auto', id)));
    assert.ok(all.every((x) => x !== null));
    assert.deepEqual(all[0], drawn, 'a drawn number never changes');
    assert.deepEqual(all.slice(1).map((x) => x.method), ['auto', 'auto', 'auto', 'auto', 'auto']);
    assert.deepEqual(all.slice(0, 4).map((x) => x.number).sort(), [1, 2, 3, 4]);
    assert.deepEqual(all.slice(4).map((x) => x.number).sort(), [1, 2]);
    // A draw after the deadline returns the assigned number.
    assert.deepEqual(await lottery.draw('exam-auto', 'cA-3'), all[2]);
  } finally {
    s.clock.t = t0;
  }
});

test('the deadline job fires by itself on its timer (real clock)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-lottery-'));
  const live = await startTestServer(Date.now(), dir);
  try {
    live.clock.followRealTime();
    const start = Date.now() + 5 * MIN + 1_500;
    await live.importExam(examFixture({ id: 'timer', startAt: start, rooms: { A: 2 } }));
    assert.equal(await live.services.lottery.get('timer', 'cA-1'), null);
    await sleep(3_000);
    assert.equal((await live.services.lottery.get('timer', 'cA-1'))?.method, 'auto');
    assert.equal((await live.services.lottery.get('timer', 'cA-2'))?.method, 'auto');
  } finally {
    await live.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a deadline that passes while the server is down is caught up at restart', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-restart-'));
  try {
    const services = await createServices(dir);
    // The lottery closes 5 minutes before the start: 10 s from now, time enough for the first
    // server to start and be killed before it, even on a busy machine.
    const deadline = Date.now() + 10_000;
    await services.exams.put(ExamConfig.parse(examFixture({ id: 'restart', startAt: deadline + 5 * MIN, rooms: { A: 3 } })));
    await services.db.destroy();

    const first = await spawnServer(dir);
    await first.kill('SIGKILL');
    assert.ok(Date.now() < deadline, 'the first server was stopped before the deadline');
    await sleep(deadline - Date.now() + 500);
    const check = await createServices(dir);
    assert.equal(await check.lottery.get('restart', 'cA-1'), null, 'nobody got a number while the server was down');
    await check.db.destroy();

    const second = await spawnServer(dir);
    try {
      const after = await createServices(dir);
      const numbers = await Promise.all(['cA-1', 'cA-2', 'cA-3'].map((id) => after.lottery.get('restart', id)));
      await after.db.destroy();
      assert.deepEqual(numbers.map((n) => n?.method), ['auto', 'auto', 'auto']);
      assert.deepEqual(numbers.map((n) => n!.number).sort(), [1, 2, 3]);
      assert.match(second.output(), /assigned 3 number\(s\) automatically in exam restart/);
    } finally {
      await second.kill();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
