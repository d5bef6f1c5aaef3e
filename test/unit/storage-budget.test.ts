import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedRecordingBytes, storageVerdict } from '../../src/core/storage-budget.js';

const LOW = { videoBitsPerSecond: 300_000, audioBitsPerSecond: 32_000, screenBitsPerSecond: 300_000 };

test('a 30-minute low-bandwidth exam needs about 160 MB', () => {
  const bytes = expectedRecordingBytes(LOW, 30 * 60);
  assert.equal(bytes, Math.ceil((632_000 / 8) * 1800 * 1.15));
  assert.ok(bytes > 150e6 && bytes < 170e6, String(bytes));
});

test('entry wants twice the expected size free; an unknown quota does not block', () => {
  const need = 100e6;
  assert.deepEqual(storageVerdict(1e9, 700e6, need), { ok: true });
  assert.deepEqual(storageVerdict(1e9, 850e6, need), { ok: false, freeBytes: 150e6, neededBytes: 200e6 });
  assert.deepEqual(storageVerdict(1e9, 2e9, need), { ok: false, freeBytes: 0, neededBytes: 200e6 });
  assert.deepEqual(storageVerdict(undefined, undefined, need), { ok: true });
});
