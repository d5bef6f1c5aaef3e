import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { encodeFrameHeader, type FrameHeader } from '../../src/core/upload-frames.js';
import { ApiError } from '../../server/http/api-error.js';
import { readFrames, type FrameSink } from '../../server/http/read-frames.js';

const digest = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function request(count: number): Request {
  const chunks = Array.from({ length: count }, () => new Uint8Array(randomBytes(2000)));
  const body = Buffer.concat(chunks.flatMap((bytes, seq) => [encodeFrameHeader({ segment: 0, seq, size: bytes.length, digest: digest(bytes) }), bytes]));
  return new Request('http://x/', { method: 'POST', body });
}

/**
 * A sink whose checks take `checkMs` and whose durable writes take `writeMs`; `refuse` names a
 * frame refused in its checks, `failWrite` one whose writes fail after its checks passed.
 */
function sink(opts: { checkMs: number; writeMs: number; refuse?: number; failWrite?: number }) {
  const log: string[] = [];
  let writing = 0;
  let mostWriting = 0;
  const s: FrameSink = {
    maxFrameBytes: 10_000,
    maxFrames: 64,
    store: async (h: FrameHeader, _bytes: Uint8Array, accepted: () => void) => {
      log.push(`check ${h.seq}`);
      await sleep(opts.checkMs);
      if (h.seq === opts.refuse) throw new ApiError(409, 'conflict', 'refused in its checks');
      accepted();
      mostWriting = Math.max(mostWriting, ++writing);
      await sleep(opts.writeMs);
      writing--;
      if (h.seq === opts.failWrite) throw new ApiError(409, 'conflict', 'failed in its writes');
      log.push(`stored ${h.seq}`);
      return true;
    },
    cut: () => {},
  };
  return { s, log, most: () => mostWriting };
}

test('a framed request\'s frames are checked in turn and written together: its reply waits for about one frame\'s writes, not the sum', async () => {
  const { s, log, most } = sink({ checkMs: 1, writeMs: 200 });
  const t0 = performance.now();
  const reply = await readFrames(request(4), s);
  const ms = performance.now() - t0;
  assert.deepEqual(reply.frames.map((f) => f.seq), [0, 1, 2, 3]);
  // The proof is the overlap (four writes under way at once); the time is what it buys.
  assert.equal(most(), 4, `four frames' writes under way at once (took ${Math.round(ms)} ms; 4 × 200 ms in turn would be 800)`);
  // Each frame's checks start once the one before passed its own.
  assert.deepEqual(log.filter((l) => l.startsWith('check')), ['check 0', 'check 1', 'check 2', 'check 3']);
  // At most four at once: a longer request holds no more frames than that.
  const long = sink({ checkMs: 0, writeMs: 100 });
  assert.equal((await readFrames(request(12), long.s)).frames.length, 12);
  assert.equal(long.most(), 4);
});

test('a frame refused in its checks: nothing after it is checked or stored, and the reply names it', async () => {
  const { s, log } = sink({ checkMs: 2, writeMs: 30, refuse: 2 });
  const reply = await readFrames(request(5), s);
  assert.deepEqual(reply.frames.map((f) => f.seq), [0, 1]);
  assert.deepEqual([reply.refused?.seq, reply.refused?.code], [2, 'conflict']);
  assert.deepEqual(log.sort(), ['check 0', 'check 1', 'check 2', 'stored 0', 'stored 1']);
});

test('a frame whose writes fail after its checks passed: the reply stops there (a frame after it may be held, and is told `stored: false` when sent again)', async () => {
  const { s, log } = sink({ checkMs: 1, writeMs: 30, failWrite: 1 });
  const reply = await readFrames(request(3), s);
  assert.deepEqual(reply.frames.map((f) => f.seq), [0]);
  assert.equal(reply.refused?.seq, 1);
  assert.ok(log.includes('check 2'), 'frame 2 was checked while frame 1 wrote');
});

test('an error after some frames (one announced over the chunk limit, a malformed one): the frames under way are stored before the error is answered', async () => {
  const good = [0, 1].map(() => new Uint8Array(randomBytes(2000)));
  const heads = good.flatMap((bytes, seq) => [encodeFrameHeader({ segment: 0, seq, size: bytes.length, digest: digest(bytes) }), bytes]);
  const over = encodeFrameHeader({ segment: 0, seq: 2, size: 20_000, digest: digest(new Uint8Array(1)) });
  for (const [what, tail, status] of [['over the limit', over, 413], ['malformed', new Uint8Array(60), 400]] as const) {
    const { s, log } = sink({ checkMs: 1, writeMs: 40 });
    const req = new Request('http://x/', { method: 'POST', body: Buffer.concat([...heads, tail]) });
    await assert.rejects(readFrames(req, s), (err: ApiError) => err.status === status, what);
    assert.deepEqual(log.filter((l) => l.startsWith('stored')), ['stored 0', 'stored 1'], what);
  }
});

