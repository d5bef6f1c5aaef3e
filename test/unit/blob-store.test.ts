import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BlobStore } from '../../server/storage/blob-store.js';
import { LocalDiskStore } from '../../server/storage/local-disk-store.js';
import { MULTIPART_FROM, S3Store } from '../../server/storage/s3-store.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

async function bytesOf(store: BlobStore, key: string): Promise<Buffer | null> {
  const stream = await store.read(key);
  if (!stream) return null;
  const parts: Uint8Array[] = [];
  for await (const p of stream) parts.push(p);
  return Buffer.concat(parts);
}

/** The same contract for every store: the local disk (the default) and S3-compatible storage. */
function contract(name: string, open: () => Promise<{ store: BlobStore; close: () => Promise<void> }>) {
  describe(name, () => {
    let store: BlobStore;
    let close: () => Promise<void>;
    before(async () => ({ store, close } = await open()));
    after(() => close());

    test('a value reads back byte for byte; an absent key reads as null; a put replaces', async () => {
      const bytes = randomBytes(70_000);
      await store.put('recordings/e/c/r/0/000001-ab', bytes);
      assert.deepEqual(await bytesOf(store, 'recordings/e/c/r/0/000001-ab'), bytes);
      assert.equal(await store.read('recordings/e/c/r/0/000002-ab'), null);
      await store.put('recordings/e/c/r/0/000001-ab', Buffer.from('second'));
      assert.equal((await bytesOf(store, 'recordings/e/c/r/0/000001-ab'))?.toString(), 'second');
      await store.put('empty', new Uint8Array(0));
      assert.deepEqual(await bytesOf(store, 'empty'), Buffer.alloc(0));
    });

    test('readRange gives exactly bytes [start, end) of a value, fewer at its end, null for an absent key', async () => {
      const bytes = randomBytes(300_000);
      await store.put('recordings/e/c/r/1/000001-cd', bytes);
      for (const [a, b] of [[0, 1], [0, 300_000], [65_530, 65_540], [123_457, 262_144], [299_999, 300_000]] as const) {
        const got = await store.readRange('recordings/e/c/r/1/000001-cd', a, b);
        assert.ok(got && Buffer.from(got).equals(bytes.subarray(a, b)), `bytes ${a}-${b}`);
      }
      assert.deepEqual(Buffer.from((await store.readRange('recordings/e/c/r/1/000001-cd', 299_990, 400_000))!), bytes.subarray(299_990));
      assert.equal((await store.readRange('recordings/e/c/r/1/000001-cd', 300_000, 300_010))?.length, 0, 'from the end: nothing');
      assert.equal((await store.readRange('recordings/e/c/r/1/000001-cd', 10, 10))?.length, 0, 'an empty range');
      assert.equal(await store.readRange('recordings/e/c/r/1/000002-cd', 0, 10), null);
      assert.equal(await store.readRange('recordings/e/c/r/1/000002-cd', 5, 5), null);
      await assert.rejects(() => store.readRange('../escape', 0, 1), /unsafe storage key/);
    });

    test('delete removes one key (absent: nothing); deleteTree removes everything under prefix/, nothing beside it', async () => {
      for (const k of ['recordings/x/c1/a', 'recordings/x/c1/s/0/1', 'recordings/x/c1/s/0/2', 'recordings/x/c10/a', 'recordings/x/c1-b']) await store.put(k, Buffer.from(k));
      await store.delete('recordings/x/c1/a');
      await store.delete('recordings/x/c1/never');
      assert.equal(await store.read('recordings/x/c1/a'), null);
      await store.deleteTree('recordings/x/c1');
      assert.equal(await store.read('recordings/x/c1/s/0/1'), null);
      assert.equal(await store.read('recordings/x/c1/s/0/2'), null);
      assert.equal((await bytesOf(store, 'recordings/x/c10/a'))?.toString(), 'recordings/x/c10/a', 'a sibling with a longer name stays');
      assert.equal((await bytesOf(store, 'recordings/x/c1-b'))?.toString(), 'recordings/x/c1-b');
      await store.deleteTree('recordings/none');
      // The same place written again after its tree was erased (the disk store remembers directories it made).
      await store.put('recordings/x/c1/s/0/3', Buffer.from('again'));
      assert.equal((await bytesOf(store, 'recordings/x/c1/s/0/3'))?.toString(), 'again');
    });

    test('deleteTree takes more keys than one listing holds', async () => {
      const keys = Array.from({ length: 1_050 }, (_, i) => `captures/big/c/${String(i).padStart(5, '0')}`);
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, Buffer.from('x'))));
      await store.deleteTree('captures/big');
      assert.equal(await store.read(keys[0]!), null);
      assert.equal(await store.read(keys.at(-1)!), null);
    });

    test('a large value (S3: in parts) reads back whole', async () => {
      const bytes = randomBytes(MULTIPART_FROM + 3 * 1024 * 1024 + 17);
      await store.put('recordings/e/c/r/0/big', bytes);
      const back = await bytesOf(store, 'recordings/e/c/r/0/big');
      assert.equal(back?.length, bytes.length);
      assert.ok(back?.equals(bytes));
    });

    test('an unsafe key is refused before any I/O', async () => {
      for (const k of ['../escape', 'a/../../b', '/abs', 'a//b', 'a/./b', 'with space']) {
        await assert.rejects(() => store.put(k, Buffer.from('x')), /unsafe storage key/, k);
        await assert.rejects(() => store.read(k), /unsafe storage key/, k);
      }
    });
  });
}

contract('local disk store', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-blobs-'));
  const store = new LocalDiskStore(dir);
  await store.removeTemporaries();
  return { store, close: () => rm(dir, { recursive: true, force: true }) };
});

contract('S3-compatible store (s3rver)', async () => {
  const s3: TestS3 = await startS3();
  const store = new S3Store({ endpoint: s3.endpoint, bucket: s3.bucket, credentials: s3.credentials, prefix: 'deployment-1' });
  return { store, close: async () => { store.client.destroy(); await s3.close(); } };
});

test('local disk: puts into one directory at once share its syncs; every one is stored when its put resolves', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-blobs-'));
  const store = new LocalDiskStore(dir);
  await store.removeTemporaries();
  const values = Array.from({ length: 8 }, () => randomBytes(64 * 1024));
  await Promise.all(values.map(async (v, i) => {
    await store.put(`e/c/rec/0-${i}`, v);
    // Resolved only after a directory sync that began after its rename: the name is there now.
    assert.deepEqual(await bytesOf(store, `e/c/rec/0-${i}`), v);
  }));
  assert.ok(store.dirSyncCount >= 1 && store.dirSyncCount < values.length, `${store.dirSyncCount} directory syncs for ${values.length} puts`);
  // One after another: one sync each, as before.
  const before = store.dirSyncCount;
  await store.put('e/c/rec/1-0', values[0] ?? new Uint8Array());
  await store.put('e/c/rec/1-1', values[1] ?? new Uint8Array());
  assert.equal(store.dirSyncCount - before, 2);
  await rm(dir, { recursive: true, force: true });
});
