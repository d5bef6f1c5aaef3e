import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batteryLasts, formatBindingCode, normalizeBindingCode, phonePhase, phoneUrl } from '../../src/core/evidence-phone.js';
import { SCAN_SECTORS, coveredShare, emptyCoverage, headingOf, markHeading, missingHeadings, sectorOf } from '../../src/core/scan-coverage.js';
import { parseRoute } from '../../src/core/route.js';

test('binding codes: typed in any case, with spaces or a dash; ambiguous or short input is no code', () => {
  assert.equal(normalizeBindingCode('abcd-efgh'), 'ABCDEFGH');
  assert.equal(normalizeBindingCode(' AB CD EF GH '), 'ABCDEFGH');
  assert.equal(normalizeBindingCode('ABCD-EFG0'), null, '0 is not in the alphabet (O/0 and I/1 are left out)');
  assert.equal(normalizeBindingCode('ABCDEFGI'), null);
  assert.equal(normalizeBindingCode('ABCDEFG'), null);
  assert.equal(formatBindingCode('ABCDEFGH'), 'ABCD-EFGH');
  assert.equal(phoneUrl('https://x.test', 'ABCDEFGH'), 'https://x.test/#/evidence/ABCDEFGH');
  assert.deepEqual(parseRoute('#/evidence/ABCDEFGH'), { mode: 'evidence', code: 'ABCDEFGH' });
  assert.deepEqual(parseRoute('#/evidence'), { mode: 'evidence', code: '' });
});

test('the phone phase follows what the phone knows; stopping wins over everything but binding', () => {
  const f = { bound: true, cameraChosen: false, scanned: false, fixed: false, stopped: false };
  assert.equal(phonePhase({ ...f, bound: false }), 'bind');
  assert.equal(phonePhase(f), 'camera');
  assert.equal(phonePhase({ ...f, cameraChosen: true }), 'scan');
  assert.equal(phonePhase({ ...f, cameraChosen: true, scanned: true }), 'framing');
  assert.equal(phonePhase({ ...f, cameraChosen: true, scanned: true, fixed: true }), 'recording');
  assert.equal(phonePhase({ ...f, cameraChosen: true, stopped: true }), 'upload');
  assert.equal(phonePhase({ ...f, bound: false, stopped: true }), 'bind');
});

test('scan coverage: each compass heading marks its own 30° direction; all twelve make it complete', () => {
  assert.equal(sectorOf(0), 0);
  assert.equal(sectorOf(359.9), 11);
  assert.equal(sectorOf(-15), 11);
  assert.equal(sectorOf(735), 0);
  let c = emptyCoverage();
  for (const h of [10, 20, 100]) c = markHeading(c, h);
  assert.equal(coveredShare(c), 2 / SCAN_SECTORS);
  assert.equal(missingHeadings(c).length, 10);
  assert.ok(!missingHeadings(c).includes(15) && missingHeadings(c).includes(45));
  assert.equal(markHeading(c, Number.NaN), c, 'no reading, no change');
  for (let h = 5; h < 360; h += 30) c = markHeading(c, h);
  assert.equal(coveredShare(c), 1);
  assert.deepEqual(missingHeadings(c), []);
});

test('headings: Safari\'s compass heading, else 360 − alpha of an absolute reading; relative readings are not a compass', () => {
  assert.equal(headingOf({ alpha: 10, webkitCompassHeading: 123 }, false), 123);
  assert.equal(headingOf({ alpha: 90, absolute: true }, false), 270);
  assert.equal(headingOf({ alpha: 0 }, true), 0);
  assert.equal(headingOf({ alpha: 90, absolute: false }, false), null);
  assert.equal(headingOf({ alpha: null }, true), null);
});

test('battery: charging always lasts; otherwise the level must cover the time left at ~15 %/h with 5 % kept', () => {
  const hour = 3_600_000;
  assert.equal(batteryLasts(null, hour), null);
  assert.equal(batteryLasts({ level: 0.1, charging: true }, 5 * hour), true);
  assert.equal(batteryLasts({ level: 0.5, charging: false }, hour), true);
  assert.equal(batteryLasts({ level: 0.15, charging: false }, hour), false);
});
