import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextProgress, type ShownProgress } from '../../src/core/upload-progress.js';

test('the rows seen in the field: an outcome newer than the row does not overshoot; a pass without the recording does not drop it to zero', () => {
  // "屏幕 已上传 2.1 MB / 2.0 MB": the pass counted chunks the row read before had not.
  const a = nextProgress(undefined, { bytes: 2_000_000, verified: false }, { recordedBytes: 2_100_000, verifiedBytes: 2_100_000 });
  assert.deepEqual(a, { done: 2_100_000, total: 2_100_000 });
  // "已上传 0 KB / 1.4 MB" just before "上传成功": a pass whose outcomes lack this recording.
  const b = nextProgress({ done: 1_300_000, total: 1_400_000 }, { bytes: 1_400_000, verified: false }, undefined);
  assert.deepEqual(b, { done: 1_300_000, total: 1_400_000 });
  assert.deepEqual(nextProgress(b, { bytes: 1_400_000, verified: true }, undefined), { done: 1_400_000, total: 1_400_000 });
  // A page reopened mid-upload, before its first pass: the stored acknowledged bytes, not 0.
  assert.deepEqual(nextProgress(undefined, { bytes: 515_732, verified: false, uploadedBytes: 451_992 }, undefined), { done: 451_992, total: 515_732 });
  assert.deepEqual(nextProgress(undefined, { bytes: 500, verified: false, uploadedBytes: 900 }, undefined), { done: 500, total: 500 }, 'never more than recorded');
});

test('property: over any order of stale, fresh and missing reads, uploaded ≤ recorded and neither goes backwards', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let run = 0; run < 200; run++) {
    // The truth: recorded grows while recording, uploaded follows it, then verification.
    const truth: { recorded: number; uploaded: number }[] = [];
    let recorded = 0;
    let uploaded = 0;
    for (let i = 0; i < 60; i++) {
      if (i < 40) recorded += Math.floor(rand() * 100_000);
      uploaded = Math.min(recorded, uploaded + Math.floor(rand() * 150_000));
      truth.push({ recorded, uploaded });
    }
    let shown: ShownProgress | undefined;
    for (let i = 0; i < truth.length; i++) {
      // The row and the outcome each read at some earlier moment, or (the outcome) not at all.
      const row = truth[Math.max(0, i - Math.floor(rand() * 5))]!;
      const out = truth[Math.max(0, i - Math.floor(rand() * 5))]!;
      const verified = i === truth.length - 1;
      const next = nextProgress(shown, { bytes: verified ? recorded : row.recorded, verified },
        rand() < 0.2 ? undefined : { recordedBytes: out.recorded, verifiedBytes: out.uploaded });
      assert.ok(next.done <= next.total, `run ${run} step ${i}: ${next.done} > ${next.total}`);
      assert.ok(!shown || (next.done >= shown.done && next.total >= shown.total), `run ${run} step ${i}: went back`);
      if (verified) assert.deepEqual(next, { done: recorded, total: recorded });
      shown = next;
    }
  }
});
