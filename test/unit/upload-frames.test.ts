import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { decodeFrameHeader, encodeFrameHeader, encodeSectionHeader, FRAME_HEADER_BYTES, FrameError, FrameParser } from '../../src/core/upload-frames.js';

const digest = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

function body(chunks: { segment: number; seq: number; bytes: Uint8Array }[]): Uint8Array {
  return Buffer.concat(chunks.flatMap((c) => [encodeFrameHeader({ segment: c.segment, seq: c.seq, size: c.bytes.length, digest: digest(c.bytes) }), c.bytes]));
}

test('a frame header round-trips and is refused when malformed', () => {
  const d = digest(new Uint8Array([1, 2, 3]));
  const h = encodeFrameHeader({ segment: 3, seq: 70_000, size: 123_456, digest: d });
  assert.equal(h.length, FRAME_HEADER_BYTES);
  assert.equal(Buffer.from(h.subarray(0, 4)).toString('latin1'), 'IVF1');
  assert.deepEqual(decodeFrameHeader(h), { segment: 3, seq: 70_000, size: 123_456, digest: d });
  const bad = h.slice();
  bad[0] = 0x58;
  assert.deepEqual(decodeFrameHeader(bad), { error: 'a frame starts with "IVF1"' });
  assert.deepEqual(decodeFrameHeader(h.subarray(0, 47)), { error: 'a frame header is 48 bytes' });
  assert.throws(() => encodeFrameHeader({ segment: 0, seq: 0, size: 0, digest: new Uint8Array(16) }), /32 bytes/);
});

test('the parser yields every frame, byte for byte, however the body is split', () => {
  const chunks = [0, 1, 2, 3].map((seq) => ({ segment: 1, seq, bytes: new Uint8Array(randomBytes(seq === 2 ? 0 : 1000 + seq * 777)) }));
  const all = body(chunks);
  for (const piece of [1, 7, 48, 49, 1000, 4096, all.length]) {
    const p = new FrameParser();
    const out: { seq: number; bytes: Uint8Array }[] = [];
    for (let i = 0; i < all.length; i += piece) {
      p.push(all.subarray(i, i + piece));
      for (let f = p.next(); f; f = p.next()) {
        assert.deepEqual(f.header.digest, digest(f.bytes), `piece ${piece}: the header's digest names the frame's bytes`);
        out.push({ seq: f.header.seq, bytes: new Uint8Array(f.bytes) });
      }
    }
    assert.deepEqual(out, chunks.map((c) => ({ seq: c.seq, bytes: c.bytes })), `pieces of ${piece} bytes`);
    assert.equal(p.buffered, 0);
    assert.equal(p.inFlight(), null);
  }
});

test('a body cut inside a frame: the frames before it are whole, and what arrived of the cut one is its prefix', () => {
  const chunks = [0, 1].map((seq) => ({ segment: 0, seq, bytes: new Uint8Array(randomBytes(5000)) }));
  const all = body(chunks);
  const p = new FrameParser();
  p.push(all.subarray(0, FRAME_HEADER_BYTES * 2 + 5000 + 1234));
  assert.equal(p.next()?.header.seq, 0);
  assert.equal(p.next(), null);
  assert.equal(p.pendingHeader?.seq, 1);
  assert.equal(p.buffered, FRAME_HEADER_BYTES + 1234);
  const cut = p.inFlight();
  assert.equal(cut?.header.seq, 1);
  assert.deepEqual(new Uint8Array(cut?.bytes ?? []), chunks[1]?.bytes.subarray(0, 1234));
});

test('garbage where a header belongs is an error, not a frame', () => {
  const p = new FrameParser();
  p.push(new Uint8Array(100));
  assert.throws(() => p.next(), FrameError);
});

test('sections name the recording of the frames after them, however the body is split', () => {
  const cam = [0, 1].map((seq) => ({ segment: 0, seq, bytes: new Uint8Array(randomBytes(700 + seq)) }));
  const screen = [5].map((seq) => ({ segment: 2, seq, bytes: new Uint8Array(randomBytes(300)) }));
  const all = Buffer.concat([encodeSectionHeader('camera-0001'), body(cam), encodeSectionHeader('screen-0001'), body(screen)]);
  for (const piece of [1, 2, 3, 5, 6, 16, 49, all.length]) {
    const p = new FrameParser();
    const out: [string | null, number, number][] = [];
    for (let i = 0; i < all.length; i += piece) {
      p.push(all.subarray(i, i + piece));
      for (let f = p.next(); f; f = p.next()) out.push([f.section, f.header.segment, f.header.seq]);
    }
    assert.deepEqual(out, [['camera-0001', 0, 0], ['camera-0001', 0, 1], ['screen-0001', 2, 5]], `pieces of ${piece} bytes`);
    assert.equal(p.buffered, 0);
  }
  // Outside sections (a body for one recording), a frame names none.
  const plain = new FrameParser();
  plain.push(body(cam));
  assert.equal(plain.next()?.section, null);
  // Cut inside a section's frame: the cut one names its section too.
  const cut = new FrameParser();
  cut.push(all.subarray(0, all.length - 100));
  while (cut.next()) { /* the whole frames */ }
  assert.equal(cut.inFlight()?.section, 'screen-0001');
});

test('a section naming no recording is an error; an id that is not printable ASCII cannot be encoded', () => {
  const p = new FrameParser();
  p.push(new Uint8Array([0x49, 0x56, 0x53, 0x31, 0]));
  assert.throws(() => p.next(), /names its recording/);
  assert.throws(() => encodeSectionHeader('кам'), /ASCII/);
  assert.throws(() => encodeSectionHeader(''), /ASCII/);
});
