import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Recordings, ScrubReport } from '../../server/domain/recordings.js';
import { DEFAULT_SCRUB_BYTES_PER_SECOND, Scrubber, scrubRate } from '../../server/domain/scrubber.js';

test('the scrub rate: 16 MiB/s by default, 0 turns it off, anything else is refused with what to write', () => {
  assert.equal(scrubRate({}), DEFAULT_SCRUB_BYTES_PER_SECOND);
  assert.equal(scrubRate({ SCRUB_BYTES_PER_SECOND: '0' }), 0);
  assert.equal(scrubRate({ SCRUB_BYTES_PER_SECOND: '1048576' }), 1_048_576);
  for (const bad of ['-1', '1.5', 'fast']) assert.throws(() => scrubRate({ SCRUB_BYTES_PER_SECOND: bad }), /whole number of bytes per second/);
});

test('a step reads one second\'s budget, logs each damaged chunk, and never overlaps the last', async () => {
  const asked: number[] = [];
  let release = () => {};
  const report: ScrubReport = { chunks: 3, bytes: 3000, damaged: [{ exam: 'e', candidate: 'c', recordingId: 'r1', segment: 0, seq: 2, verified: false }] };
  const recordings = {
    scrub: (max: number) => {
      asked.push(max);
      return new Promise<ScrubReport>((resolve) => { release = () => resolve(report); });
    },
  } as unknown as Recordings;
  const logs: string[] = [];
  const scrubber = new Scrubber(recordings, 5000, (l) => logs.push(l));
  const first = scrubber.step();
  assert.equal(await scrubber.step(), null, 'a step while one runs does nothing');
  release();
  assert.deepEqual(await first, report);
  assert.deepEqual(asked, [5000]);
  assert.deepEqual(logs, ['scrub: exam e candidate c recording r1 chunk 0/2 damaged in the store — dropped; the device is asked for it again']);
});
