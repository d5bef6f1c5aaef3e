import assert from 'node:assert/strict';
import { test } from 'node:test';
import { examStage, flowStep, NO_ACKS, type FlowFacts } from '../../src/core/flow.js';
import { timelineTimes } from '../../src/core/timeline.js';

const times = timelineTimes({
  start: '2026-12-01T09:00:00+08:00', loginOpensMinutesBefore: 30, entryOpensMinutesBefore: 15,
  entryClosesMinutesAfter: 0, lotteryClosesMinutesBefore: 5, readingMinutes: 10, answeringMinutes: 5,
}, 90);
const MIN = 60_000;
const before = (m: number) => times.startAt - m * MIN;
const base: FlowFacts = {
  loggedIn: true, identityPending: false, acks: NO_ACKS, accepted: { procedure: null, pledge: null, notice: null },
  hasLotteryNumber: false, progress: { enteredAt: null, endedAt: null }, localEndedAt: null,
};
const allAcks = { check: true, evidence: true, lottery: true, devices: true, identity: true };
const accepted = { procedure: 1, pledge: 2, notice: 3 };

test('before login: the system check, then the login', () => {
  assert.equal(flowStep({ ...base, loggedIn: false }, times, before(20)), 'check');
  assert.equal(flowStep({ ...base, loggedIn: false, acks: { ...NO_ACKS, check: true } }, times, before(20)), 'login');
});

test('the steps before entry come in the order of the instructions', () => {
  const now = before(20);
  const at = (f: Partial<FlowFacts>) => flowStep({ ...base, ...f }, times, now);
  assert.equal(at({ identityPending: true }), 'identity', 'face match (where the exam uses it) right after login');
  assert.equal(at({}), 'procedure');
  assert.equal(at({ accepted: { ...base.accepted, procedure: 1 } }), 'evidence');
  assert.equal(at({ accepted: { ...base.accepted, procedure: 1 }, acks: { ...NO_ACKS, evidence: true } }), 'lottery');
  const drawn = { accepted: { ...base.accepted, procedure: 1 }, acks: { ...NO_ACKS, evidence: true, lottery: true }, hasLotteryNumber: true };
  assert.equal(at(drawn), 'pledge');
  assert.equal(at({ ...drawn, accepted: { procedure: 1, pledge: 2, notice: null } }), 'notice');
  assert.equal(at({ ...drawn, accepted }), 'enter');
});

test('the lottery step waits for a number while the lottery is open, not after it closed', () => {
  const f = { ...base, accepted, acks: { ...allAcks, devices: false } };
  assert.equal(flowStep(f, times, before(20)), 'lottery');
  assert.equal(flowStep(f, times, before(4)), 'enter');
  assert.equal(flowStep({ ...f, acks: { ...f.acks, lottery: false } }, times, before(4)), 'lottery', 'seen once, even when assigned');
});

test('after entry: devices, then the exam; the end (or an early end, local or not) leads to the upload', () => {
  const entered = { ...base, accepted, hasLotteryNumber: true, acks: { ...allAcks, devices: false }, progress: { enteredAt: before(10), endedAt: null } };
  assert.equal(flowStep(entered, times, before(9)), 'devices');
  assert.equal(flowStep({ ...entered, acks: allAcks }, times, before(9)), 'exam');
  assert.equal(flowStep(entered, times, times.startAt + 1), 'exam', 'no device step once the exam runs');
  assert.equal(flowStep(entered, times, times.endAt), 'upload');
  assert.equal(flowStep({ ...entered, localEndedAt: times.startAt + 5 }, times, times.startAt + 6), 'upload');
  assert.equal(flowStep({ ...entered, progress: { enteredAt: before(10), endedAt: times.startAt } }, times, times.startAt + 6), 'upload');
});

test('not entered when the entry window closed: missed, whatever else is done', () => {
  assert.equal(flowStep({ ...base, accepted, acks: allAcks, hasLotteryNumber: true }, times, times.entryClosesAt), 'missed');
  assert.equal(flowStep({ ...base, identityPending: true }, times, times.entryClosesAt), 'missed');
  const entered = { ...base, identityPending: true, acks: allAcks, progress: { enteredAt: before(10), endedAt: null } };
  assert.equal(flowStep(entered, times, before(9)), 'exam', 'once entered, face match is not asked again');
});

test('the exam stages follow the server time only', () => {
  assert.deepEqual(examStage(times, before(1)), { stage: 'waiting', until: times.startAt });
  assert.deepEqual(examStage(times, times.startAt), { stage: 'reading', until: times.answeringAt });
  assert.deepEqual(examStage(times, times.answeringAt - 1), { stage: 'reading', until: times.answeringAt });
  assert.deepEqual(examStage(times, times.answeringAt), { stage: 'answering', until: times.endAt });
  assert.equal(examStage(times, times.endAt).stage, 'over');
});
