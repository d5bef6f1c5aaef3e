import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from '../../src/core/route.js';
import { formatDuration } from '../../src/core/format-duration.js';
import { pickText } from '../../src/core/localized.js';
import { pickFree } from '../../server/domain/lottery.js';

test('routes: candidate, evidence, proctor, review; anything else is the candidate', () => {
  assert.deepEqual(parseRoute(''), { mode: 'candidate', examId: null });
  assert.deepEqual(parseRoute('#/'), { mode: 'candidate', examId: null });
  assert.deepEqual(parseRoute('#/?exam=demo-1'), { mode: 'candidate', examId: 'demo-1' });
  assert.deepEqual(parseRoute('#/?exam=bad%20id'), { mode: 'candidate', examId: null });
  assert.deepEqual(parseRoute('#/evidence/AB12'), { mode: 'evidence', code: 'AB12' });
  assert.deepEqual(parseRoute('#/evidence/'), { mode: 'evidence', code: '' }, 'the phone page without a code: typed there');
  assert.deepEqual(parseRoute('#/proctor'), { mode: 'proctor' });
  assert.deepEqual(parseRoute('#/review/exam1/c1'), { mode: 'review', path: 'exam1/c1' });
  assert.deepEqual(parseRoute('#/evidence/%E0%A4%A'), { mode: 'evidence', code: '%E0%A4%A' });
  assert.deepEqual(parseRoute('#/nonsense'), { mode: 'candidate', examId: null });
});

test('durations read as MM:SS or H:MM:SS, rounded up, never negative', () => {
  assert.equal(formatDuration(0), '00:00');
  assert.equal(formatDuration(1), '00:01');
  assert.equal(formatDuration(59_001), '01:00');
  assert.equal(formatDuration(10 * 60_000), '10:00');
  assert.equal(formatDuration(3_600_000 + 61_000), '1:01:01');
  assert.equal(formatDuration(-5_000), '00:00');
});

test('localized text falls back to zh-CN', () => {
  assert.equal(pickText({ 'zh-CN': '中', en: 'E' }, 'en'), 'E');
  assert.equal(pickText({ 'zh-CN': '中' }, 'en'), '中');
  assert.equal(pickText({ 'zh-CN': '中', en: 'E' }, 'zh-CN'), '中');
});

test('lottery numbers are drawn from the free ones, past the end only when none is free', () => {
  for (let i = 0; i < 50; i++) {
    const n = pickFree(new Set([1, 2, 4]), 5);
    assert.ok(n === 3 || n === 5, String(n));
  }
  assert.equal(pickFree(new Set([1, 2, 3]), 3), 4);
  assert.equal(pickFree(new Set([1, 2, 7]), 3), 3);
});

test('byte sizes read as KB, MB or GB', async () => {
  const { formatBytes } = await import('../../src/core/format-bytes.js');
  assert.equal(formatBytes(0), '0 KB');
  assert.equal(formatBytes(1), '1 KB');
  assert.equal(formatBytes(820 * 1024), '820 KB');
  assert.equal(formatBytes(12.44 * 1024 * 1024), '12.4 MB');
  assert.equal(formatBytes(1.2 * 1024 ** 3), '1.20 GB');
});
