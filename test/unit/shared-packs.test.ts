import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SharedPacks } from '../../server/domain/shared-packs.js';
import type { BlobStore, PackWriter } from '../../server/storage/blob-store.js';

// When a candidate's requests share a pack, and when the next one starts a new file.
const owner = { exam: 'e1', candidate: 'c1' };

/** A store whose packs record their appends and closes; `failNext` makes the next append fail. */
function fakeStore() {
  const made: { key: string; appended: number; closed: boolean }[] = [];
  let failNext = false;
  const store = {
    openPack(key: string): PackWriter {
      const pack = { key, appended: 0, closed: false };
      made.push(pack);
      return {
        append: (bytes) => {
          if (failNext) {
            failNext = false;
            return Promise.reject(new Error('disk error'));
          }
          pack.appended += bytes.length;
          return Promise.resolve(pack.appended - bytes.length);
        },
        close: () => {
          pack.closed = true;
          return Promise.resolve();
        },
      };
    },
  } as Pick<BlobStore, 'openPack'> as BlobStore;
  return { store, made, failAppend: () => { failNext = true; } };
}

test('requests of one candidate share a pack; another candidate gets its own', async () => {
  const { store, made } = fakeStore();
  const packs = new SharedPacks(store, () => 0);
  const [a, b] = [packs.acquire(owner), packs.acquire(owner)];
  assert.equal(a?.key, b?.key);
  assert.equal(await a?.writer.append(new Uint8Array(10)), 0);
  assert.equal(await b?.writer.append(new Uint8Array(5)), 10);
  assert.notEqual(packs.acquire({ exam: 'e1', candidate: 'c2' })?.key, a?.key);
  assert.equal(made.length, 2);
});

test('past its time or its size the next request starts a new pack; the old one closes when its last request ends', async () => {
  const { store, made } = fakeStore();
  const packs = new SharedPacks(store, () => 0, { sharedMs: 40, maxBytes: 100, idleMs: 60_000 });
  const first = packs.acquire(owner);
  await sleep(60);
  const second = packs.acquire(owner);
  assert.notEqual(second?.key, first?.key, 'older than sharedMs');
  assert.equal(made[0]?.closed, false, 'still in use by the first request');
  first?.release();
  assert.equal(made[0]?.closed, true);
  await second?.writer.append(new Uint8Array(100));
  second?.release();
  assert.notEqual(packs.acquire(owner)?.key, second?.key, 'full');
  assert.equal(made[1]?.closed, true);
});

test('after a failed write the pack is given to no new request', async () => {
  const { store, made, failAppend } = fakeStore();
  const packs = new SharedPacks(store, () => 0);
  const first = packs.acquire(owner);
  failAppend();
  await assert.rejects(first?.writer.append(new Uint8Array(1)) ?? Promise.resolve(), /disk error/);
  first?.release();
  const next = packs.acquire(owner);
  assert.notEqual(next?.key, first?.key);
  assert.equal(made[0]?.closed, true);
});

test('a pack no request used for idleMs is closed; releasing twice counts once; closeAll closes the rest', async () => {
  const { store, made } = fakeStore();
  const packs = new SharedPacks(store, () => 0, { sharedMs: 60_000, maxBytes: 1e9, idleMs: 30 });
  const [a, b] = [packs.acquire(owner), packs.acquire(owner)];
  a?.release();
  a?.release();
  await sleep(60);
  assert.equal(made[0]?.closed, false, 'b still uses it');
  b?.release();
  await sleep(60);
  assert.equal(made[0]?.closed, true);
  assert.equal(packs.size, 0);
  packs.acquire({ exam: 'e1', candidate: 'c3' });
  await packs.closeAll();
  assert.equal(made[1]?.closed, true);
});

test('no packs where the store keeps none (S3)', () => {
  assert.equal(new SharedPacks({} as BlobStore, () => 0).acquire(owner), null);
});
