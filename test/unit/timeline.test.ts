import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline } from '../../src/core/exam-schema.js';
import { timelineAt, timelineTimes, type CandidateProgress } from '../../src/core/timeline.js';

const MIN = 60_000;
const START = Date.parse('2026-12-01T09:00:00+08:00');
const times = timelineTimes(Timeline.parse({ start: '2026-12-01T09:00:00+08:00' }), 90);
const entered: CandidateProgress = { enteredAt: START - 10 * MIN, endedAt: null };

test('boundaries follow the configured minutes', () => {
  assert.equal(times.startAt, START);
  assert.equal(times.loginOpensAt, START - 30 * MIN);
  assert.equal(times.entryOpensAt, START - 15 * MIN);
  assert.equal(times.lotteryClosesAt, START - 5 * MIN);
  assert.equal(times.entryClosesAt, START);
  assert.equal(times.answeringAt, START + 10 * MIN);
  assert.equal(times.endAt, START + 15 * MIN);
  assert.equal(times.retentionEndsAt, START + 15 * MIN + 90 * 24 * 60 * MIN);
});

test('before login opens: nothing allowed; login opens exactly at its boundary', () => {
  const before = timelineAt(times, times.loginOpensAt - 1);
  assert.equal(before.phase, 'scheduled');
  assert.equal(before.allowed.login, false);
  assert.equal(before.nextChangeAt, times.loginOpensAt);
  assert.equal(before.msLeft, 1);
  const at = timelineAt(times, times.loginOpensAt);
  assert.equal(at.phase, 'open');
  assert.equal(at.allowed.login, true);
  assert.equal(at.allowed.lottery, true);
  assert.equal(at.allowed.entry, false);
  assert.equal(at.nextChangeAt, times.entryOpensAt);
});

test('entry window opens at its boundary and closes at the start', () => {
  assert.equal(timelineAt(times, times.entryOpensAt - 1).allowed.entry, false);
  assert.equal(timelineAt(times, times.entryOpensAt).allowed.entry, true);
  assert.equal(timelineAt(times, times.startAt - 1).allowed.entry, true);
  assert.equal(timelineAt(times, times.startAt).allowed.entry, false);
});

test('the lottery closes at its deadline', () => {
  assert.equal(timelineAt(times, times.lotteryClosesAt - 1).allowed.lottery, true);
  assert.equal(timelineAt(times, times.lotteryClosesAt).allowed.lottery, false);
});

test('logins are refused from the start on (R2, R9)', () => {
  assert.equal(timelineAt(times, times.startAt - 1).allowed.login, true);
  const s = timelineAt(times, times.startAt);
  assert.equal(s.allowed.login, false);
  assert.equal(s.phase, 'reading');
});

test('reading then answering, each only for an entered candidate; answering never early', () => {
  const reading = timelineAt(times, times.startAt, entered);
  assert.equal(reading.phase, 'reading');
  assert.equal(reading.allowed.reading, true);
  assert.equal(reading.allowed.answering, false);
  assert.equal(reading.msLeft, 10 * MIN);
  assert.equal(timelineAt(times, times.answeringAt - 1, entered).allowed.answering, false);
  const answering = timelineAt(times, times.answeringAt, entered);
  assert.equal(answering.phase, 'answering');
  assert.equal(answering.allowed.answering, true);
  assert.equal(answering.allowed.reading, false);
  assert.equal(answering.msLeft, 5 * MIN);
  assert.equal(timelineAt(times, times.startAt).allowed.reading, false, 'not entered: no reading');
});

test('the exam ends for everyone at the end, and for one candidate at their early end', () => {
  const end = timelineAt(times, times.endAt, entered);
  assert.equal(end.phase, 'ended');
  assert.equal(end.allowed.answering, false);
  assert.equal(end.allowed.upload, true);
  const early: CandidateProgress = { enteredAt: entered.enteredAt, endedAt: times.startAt + 3 * MIN };
  const s = timelineAt(times, times.startAt + 4 * MIN, early);
  assert.equal(s.phase, 'ended');
  assert.equal(s.allowed.reading, false);
  assert.equal(s.allowed.upload, true);
});

test('uploads are allowed from entry until retention ends', () => {
  assert.equal(timelineAt(times, times.startAt).allowed.upload, false, 'never entered: nothing to upload');
  assert.equal(timelineAt(times, times.retentionEndsAt - 1, entered).allowed.upload, true);
  const closed = timelineAt(times, times.retentionEndsAt, entered);
  assert.equal(closed.phase, 'closed');
  assert.equal(closed.allowed.upload, false);
  assert.equal(closed.nextChangeAt, null);
});

test('a late-entry window is honoured when configured', () => {
  const t = timelineTimes(Timeline.parse({ start: '2026-12-01T09:00:00+08:00', entryClosesMinutesAfter: 3 }), 90);
  assert.equal(timelineAt(t, t.startAt + 3 * MIN - 1).allowed.entry, true);
  assert.equal(timelineAt(t, t.startAt + 3 * MIN).allowed.entry, false);
});
