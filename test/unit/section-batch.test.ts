import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SectionBatch, type Section } from '../../src/net/section-batch.js';
import type { FramesReply } from '../../src/core/recording-schema.js';

const section = (id: string): Section => ({ id, chunks: [] });
const reply: FramesReply = { frames: [{ recording: 'cam', segment: 0, seq: 0, stored: true }] };

test('a batch sends once every participant joined: one request of all sections, and each gets the one reply', async () => {
  const batch = new SectionBatch(['cam', 'screen']);
  const sent: string[][] = [];
  const send = (all: Section[]) => {
    sent.push(all.map((s) => s.id));
    return Promise.resolve(reply);
  };
  const first = batch.join(section('cam'), send);
  assert.equal(batch.takes('cam'), false, 'a recording joins once');
  assert.equal(batch.takes('screen'), true);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(sent, [], 'nothing goes while a participant may still join');
  const second = batch.join(section('screen'), send);
  assert.deepEqual(await Promise.all([first, second]), [reply, reply]);
  assert.deepEqual(sent, [['cam', 'screen']]);
});

test('a participant that leaves is not waited for; joined alone, nothing is sent together (the caller sends its own)', async () => {
  const batch = new SectionBatch(['cam', 'screen']);
  let calls = 0;
  const joined = batch.join(section('cam'), () => { calls++; return Promise.resolve(reply); });
  batch.leave('screen');
  assert.equal(await joined, null);
  assert.equal(calls, 0);
});

test('a participant held up is waited for at most maxWaitMs: the others go together, and it no longer joins', async () => {
  const batch = new SectionBatch(['cam', 'screen', 'evidence'], 50);
  const t0 = performance.now();
  const send = () => Promise.resolve(reply);
  const [a, b] = [batch.join(section('cam'), send), batch.join(section('screen'), send)];
  assert.deepEqual(await Promise.all([a, b]), [reply, reply]);
  assert.ok(performance.now() - t0 >= 45, 'sent after the wait, not before');
  assert.equal(batch.takes('evidence'), false, 'the late one no longer joins');
});

test('a failed shared request fails every joiner (each then marks its own chunks)', async () => {
  const batch = new SectionBatch(['cam', 'screen']);
  const send = () => Promise.reject(new TypeError('Failed to fetch'));
  const results = await Promise.allSettled([batch.join(section('cam'), send), batch.join(section('screen'), send)]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
});
