import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPassed, evaluateCheck, type CheckMeasures } from '../../src/core/system-check.js';

const bitrates = { videoBitsPerSecond: 300_000, audioBitsPerSecond: 32_000, screenBitsPerSecond: 300_000 };
const good: CheckMeasures = {
  camera: 'ok', micPeak: 0.3, battery: { level: 0.9, charging: false }, online: true, uploadKbps: 5000,
  storage: { quota: 10e9, usage: 0 }, recorder: true, extraDisplay: false,
};
const status = (m: Partial<CheckMeasures>) => Object.fromEntries(evaluateCheck({ ...good, ...m }, bitrates, 25 * 60).map((x) => [x.item, `${x.status}:${x.advice}`]));

test('a good device passes every item', () => {
  const all = evaluateCheck(good, bitrates, 25 * 60);
  assert.ok(all.every((x) => x.status === 'pass'));
  assert.equal(checkPassed(all), true);
});

test('each item: what fails, what only warns', () => {
  assert.equal(status({ camera: 'denied' }).camera, 'fail:denied');
  assert.equal(status({ micPeak: 0.001 }).microphone, 'warn:quiet');
  assert.equal(status({ micPeak: null }).microphone, 'fail:missing');
  assert.equal(status({ battery: { level: 0.3, charging: false } }).battery, 'warn:low');
  assert.equal(status({ battery: { level: 0.3, charging: true } }).battery, 'pass:ok');
  assert.equal(status({ battery: null }).battery, 'pass:unknown');
  assert.equal(status({ online: false, uploadKbps: null }).network, 'warn:offline', 'offline still sits the exam');
  assert.equal(status({ uploadKbps: 400 }).network, 'warn:slow', 'below the 632 kbit/s the recording makes');
  assert.equal(status({ storage: { quota: 100e6, usage: 0 } }).storage, 'fail:low');
  // Room, but kept only best-effort (evicted whole on a full disk): a warning, with what to do.
  assert.equal(status({ storage: { quota: 10e9, usage: 0, persisted: false } }).storage, 'warn:evictable');
  assert.equal(status({ storage: { quota: 100e6, usage: 0, persisted: false } }).storage, 'fail:low');
  assert.equal(status({ storage: { quota: 10e9, usage: 0, persisted: true } }).storage, 'pass:ok');
  assert.equal(status({ recorder: false }).recorder, 'fail:unsupported');
  assert.equal(status({ extraDisplay: true }).display, 'warn:extra');
  assert.equal(status({ extraDisplay: null }).display, 'pass:unknown');
  assert.equal(checkPassed(evaluateCheck({ ...good, online: false, extraDisplay: true }, bitrates, 60)), true);
  assert.equal(checkPassed(evaluateCheck({ ...good, camera: 'missing' }, bitrates, 60)), false);
});
