import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { TokenSigner, VERIFIED_CACHE_SIZE } from '../../server/auth/tokens.js';

const KEY = new Uint8Array(32).fill(7);
const T0 = Date.parse('2026-12-01T08:00:00Z');

/** HMAC verifications that reach Web Crypto (jose's path), counted. */
function countHmacChecks(): { count: () => number; restore: () => void } {
  const subtle = webcrypto.subtle;
  const original = subtle.verify;
  const verify = original.bind(subtle);
  let n = 0;
  subtle.verify = (...args: Parameters<typeof verify>) => {
    n++;
    return verify(...args);
  };
  return { count: () => n, restore: () => { subtle.verify = original; } };
}

const upload = { sub: 'c1', exam: 'e1', dev: 'd1', jti: 'j1' };

test('a credential sent again is not checked again: the same claims, no HMAC job', async () => {
  let now = T0;
  const signer = new TokenSigner(KEY, () => now);
  const token = await signer.signUpload(upload, T0 + 60_000);
  const hmac = countHmacChecks();
  try {
    const first = await signer.verifyUpload(token);
    assert.deepEqual(first, { typ: 'upload', ...upload });
    assert.equal(hmac.count(), 1);
    now += 1_000;
    assert.deepEqual(await signer.verifyUpload(token), first);
    assert.equal(hmac.count(), 1, 'the second use came from the verified tokens');
    // Another signer (another process, another key) checks for itself.
    const other = new TokenSigner(new Uint8Array(32).fill(8), () => now);
    assert.equal(await other.verifyUpload(token), null);
  } finally {
    hmac.restore();
  }
});

test('a remembered token still expires, and still answers only for its own type', async () => {
  let now = T0;
  const signer = new TokenSigner(KEY, () => now);
  const token = await signer.signUpload(upload, T0 + 60_000);
  assert.ok(await signer.verifyUpload(token));
  assert.equal(await signer.verifyAccess(token), null, 'an upload credential is not a session');
  now = T0 + 59_999;
  assert.ok(await signer.verifyUpload(token));
  now = T0 + 60_000;
  assert.equal(await signer.verifyUpload(token), null, 'expired at exp, as jose has it');
  now = T0 + 30_000;
  assert.ok(await signer.verifyUpload(token), 'a clock that steps back finds it valid again, as jose would');
});

test('a token that fails is never remembered: a changed signature or payload fails every time', async () => {
  const signer = new TokenSigner(KEY, () => T0);
  const token = await signer.signUpload(upload, T0 + 60_000);
  const [head, body, sig] = token.split('.') as [string, string, string];
  const badSig = `${head}.${body}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), sub: 'c2' })).toString('base64url');
  for (let i = 0; i < 2; i++) {
    assert.equal(await signer.verifyUpload(badSig), null);
    assert.equal(await signer.verifyUpload(`${head}.${forged}.${sig}`), null);
  }
  assert.ok(await signer.verifyUpload(token));
});

test('the verified tokens are bounded: the least recently used is checked again', async () => {
  const signer = new TokenSigner(KEY, () => T0);
  const first = await signer.signUpload({ ...upload, jti: 'first' }, T0 + 60_000);
  const kept = await signer.signUpload({ ...upload, jti: 'kept' }, T0 + 60_000);
  await signer.verifyUpload(first);
  await signer.verifyUpload(kept);
  for (let i = 0; i < VERIFIED_CACHE_SIZE - 2; i++) await signer.verifyUpload(await signer.signUpload({ ...upload, jti: `n${i}` }, T0 + 60_000));
  await signer.verifyUpload(kept); // used again: now the most recent
  await signer.verifyUpload(await signer.signUpload({ ...upload, jti: 'one-more' }, T0 + 60_000));
  const hmac = countHmacChecks();
  try {
    assert.ok(await signer.verifyUpload(kept));
    assert.equal(hmac.count(), 0, 'recently used: still remembered');
    assert.ok(await signer.verifyUpload(first));
    assert.equal(hmac.count(), 1, 'the oldest left when the map was full: checked again');
  } finally {
    hmac.restore();
  }
});
