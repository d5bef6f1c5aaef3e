import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSample, carryAcrossReload, serverNow, uncertainty, type ClockSample, type ClockSync } from '../../src/core/clock.js';

/** A device whose clock is `skew` ms behind the server, sampling with the given RTTs. */
function sample(monoSent: number, rtt: number, skew: number, asymmetry = 0.5): ClockSample {
  const monoReceived = monoSent + rtt;
  // The server read its clock somewhere inside the round trip.
  const serverMono = monoSent + rtt * asymmetry;
  return { monoSent, monoReceived, wallReceived: 1_000_000 + monoReceived - skew, server: 1_000_000 + serverMono };
}

test('one sample: server time is the reading plus half the round trip', () => {
  const s = addSample(null, sample(100, 40, 0));
  assert.equal(serverNow(s, 140), 1_000_000 + 140);
  assert.equal(s.rtt, 40);
});

test('a device clock skewed by an hour does not change server time, only the offset', () => {
  const skew = 3_600_000;
  const s = addSample(null, sample(100, 20, skew));
  assert.equal(serverNow(s, 5_000), 1_000_000 + 5_000);
  assert.equal(s.serverAnchor - s.wallAnchor, skew);
});

test('jittery samples: the lowest round trip wins, whatever the order', () => {
  const rtts = [180, 35, 420, 12, 90, 260];
  let sync: ClockSync | null = null;
  rtts.forEach((rtt, i) => {
    // Asymmetric paths: the server reads its clock at varying points of the trip.
    sync = addSample(sync, sample(1_000 + i * 1_000, rtt, 7_000, i % 2 ? 0.1 : 0.9));
  });
  assert.equal(sync!.rtt, 12);
  const err = Math.abs(serverNow(sync!, 10_000) - (1_000_000 + 10_000));
  assert.ok(err <= 6, `error ${err} ms is within half the best RTT`);
});

test('an old low-RTT sample gives way once drift makes it less certain', () => {
  const old = addSample(null, sample(0, 10, 0));
  const hourLater = 3_600_000;
  const fresh = addSample(old, sample(hourLater, 200, 0));
  assert.ok(uncertainty(old, hourLater + 200) > 100);
  assert.equal(fresh.rtt, 200, 'the fresher sample is now the tighter one');
  const soon = addSample(old, sample(1_000, 200, 0));
  assert.equal(soon.rtt, 10, 'a second later the old sample still wins');
});

test('offline, time runs on with the monotonic clock', () => {
  const s = addSample(null, sample(0, 20, 0));
  assert.equal(serverNow(s, 20 + 60 * 60_000), 1_000_000 + 20 + 60 * 60_000);
});

test('a device-clock jump changes nothing: server time runs on the monotonic clock', () => {
  const s = addSample(null, sample(0, 20, 0));
  assert.equal(serverNow(s, 10_000), 1_000_000 + 10_000);
});

test('carried across a reload on the device clock, with the uncertainty it adds', () => {
  const s = addSample(null, sample(500, 20, 0));
  const tenMinLater = s.wallAnchor + 600_000;
  const carried = carryAcrossReload(s, tenMinLater, 3);
  assert.equal(serverNow(carried, 3), s.serverAnchor + 600_000);
  assert.ok(uncertainty(carried, 3) > uncertainty(s, s.monoAnchor));
  // A fresh sample of the same RTT is preferred to the carried estimate.
  const next = addSample(carried, { monoSent: 10, monoReceived: 30, wallReceived: tenMinLater + 27, server: s.serverAnchor + 600_017 });
  assert.equal(next.carriedError, 0);
});

test('a carried estimate is replaced by the next sample, even a slower one: the device clock may have moved while closed', () => {
  const s = addSample(null, sample(0, 2, 0));
  // Closed, the device clock set back an hour, reopened: the carry is off by an hour.
  const carried = carryAcrossReload(s, s.wallAnchor - 3_600_000, 5);
  const fresh = addSample(carried, { monoSent: 10, monoReceived: 90, wallReceived: s.wallAnchor - 3_600_000 + 85, server: s.serverAnchor + 5_000 });
  assert.equal(serverNow(fresh, 90), s.serverAnchor + 5_000 + 40);
  assert.equal(fresh.carried, undefined);
});
