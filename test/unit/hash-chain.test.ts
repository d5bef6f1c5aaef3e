import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chainHead, contentDigestHeader, fromHex, genesis, link, parseContentDigest, toBase64, toHex } from '../../src/core/hash-chain.js';

const sha256 = (b: Uint8Array) => Promise.resolve(new Uint8Array(createHash('sha256').update(b).digest()));
const digestOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());

test('genesis and one link follow the documented construction', async () => {
  const g = await genesis(sha256, 'rec-1');
  assert.equal(toHex(g), createHash('sha256').update('invigil/chain/v1/rec-1').digest('hex'));
  const d = digestOf('chunk');
  const expected = createHash('sha256').update(Buffer.concat([g, Buffer.from([0, 0, 0, 2, 0, 0, 1, 0]), d])).digest('hex');
  assert.equal(toHex(await link(sha256, g, { segment: 2, seq: 256, digest: d })), expected);
});

test('the head changes with any chunk\'s bytes, order or position', async () => {
  const chunks = ['a', 'b', 'c'].map((s, seq) => ({ segment: 0, seq, digest: digestOf(s) }));
  const head = toHex(await chainHead(sha256, 'r', chunks));
  const swapped = [chunks[1]!, chunks[0]!, chunks[2]!].map((c, seq) => ({ ...c, seq }));
  assert.notEqual(toHex(await chainHead(sha256, 'r', swapped)), head);
  assert.notEqual(toHex(await chainHead(sha256, 'r', chunks.slice(0, 2))), head);
  assert.notEqual(toHex(await chainHead(sha256, 'r', chunks.map((c) => ({ ...c, segment: 1 })))), head);
  assert.notEqual(toHex(await chainHead(sha256, 'other', chunks)), head);
  assert.equal(toHex(await chainHead(sha256, 'r', chunks)), head);
});


test('hex and base64 match Node\'s, for every length mod 3', () => {
  for (let n = 0; n < 40; n++) {
    const b = new Uint8Array(randomBytes(n));
    assert.equal(toBase64(b), Buffer.from(b).toString('base64'));
    assert.deepEqual(fromHex(toHex(b)), b);
  }
  assert.throws(() => fromHex('zz'));
});

test('Content-Digest (RFC 9530): written and read back; other algorithms and bad values ignored', () => {
  const d = digestOf('body');
  const header = contentDigestHeader(d);
  assert.equal(header, `sha-256=:${Buffer.from(d).toString('base64')}:`);
  assert.deepEqual(parseContentDigest(header), d);
  assert.deepEqual(parseContentDigest(`sha-512=:AAAA:, ${header}`), d);
  assert.equal(parseContentDigest('sha-512=:AAAA:'), null);
  assert.equal(parseContentDigest('sha-256=:AAAA:'), null, 'wrong length');
  assert.equal(parseContentDigest('sha-256=AAAA'), null);
  assert.equal(parseContentDigest('sha-256=:!!!!:'), null);
  assert.equal(parseContentDigest(undefined), null);
});
