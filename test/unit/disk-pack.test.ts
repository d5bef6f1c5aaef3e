import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DiskPack } from '../../server/storage/disk-pack.js';
import { coalesced } from '../../server/storage/fd-io.js';
import { LocalDiskStore } from '../../server/storage/local-disk-store.js';

// A framed request's chunks in one file (BlobStore.openPack on the local disk).

test('a pack: pieces appended at once land at their offsets, share data syncs, and read back once each append resolves', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-pack-'));
  const store = new LocalDiskStore(dir);
  await store.removeTemporaries();
  const pack = store.openPack('recordings/e/c/packs/p1');
  assert.ok(pack instanceof DiskPack);
  const pieces = Array.from({ length: 16 }, (_, i) => randomBytes(20_000 + i));
  const offsets = await Promise.all(pieces.map(async (piece) => {
    const at = await pack.append(piece);
    // Resolved only after a data sync that began once it was written: it reads back now.
    assert.deepEqual(await store.readRange('recordings/e/c/packs/p1', at, at + piece.length), piece);
    return at;
  }));
  let end = 0;
  for (const [i, piece] of pieces.entries()) {
    assert.equal(offsets[i], end, `piece ${i} follows the one before`);
    end += piece.length;
  }
  assert.ok(pack.syncs >= 1 && pack.syncs < pieces.length, `${pack.syncs} data syncs for ${pieces.length} pieces`);
  assert.equal(store.dirSyncCount, 1, 'the new name made durable once');
  await pack.close();
  const file = path.join(dir, 'recordings/e/c/packs/p1');
  assert.deepEqual(await readFile(file), Buffer.concat(pieces));
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
  // One after another: a sync each.
  const next = new DiskPack(path.join(dir, 'recordings/e/c/packs/p2'), { make: () => Promise.resolve(), sync: () => Promise.resolve() });
  await next.append(pieces[0] ?? new Uint8Array());
  await next.append(pieces[1] ?? new Uint8Array());
  assert.equal(next.syncs, 2);
  await next.close();
  await rm(dir, { recursive: true, force: true });
});

test('a pack whose file cannot be made fails every append (nothing more is taken), and close still returns', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-pack-'));
  let makes = 0;
  const pack = new DiskPack(path.join(dir, 'no-such-dir', 'p'), { make: () => { makes++; return Promise.resolve(); }, sync: () => Promise.resolve() });
  const results = await Promise.allSettled([pack.append(randomBytes(10)), pack.append(randomBytes(10))]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  await assert.rejects(pack.append(randomBytes(10)));
  assert.equal(makes, 2, 'the directory made again once (an erasure removed it), then given up');
  await pack.close();
  await rm(dir, { recursive: true, force: true });
});

test('a failed sync fails the pieces waiting for it and every piece after, even when a later sync succeeds', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-pack-'));
  const file = path.join(dir, 'p');
  let failFirst: (err: Error) => void = () => {};
  let dirSyncs = 0;
  const pack = new DiskPack(file, {
    make: () => Promise.resolve(),
    // The first sync (the new name's) fails when told to; any later one succeeds.
    sync: () => (++dirSyncs === 1 ? new Promise<void>((_, reject) => { failFirst = reject; }) : Promise.resolve()),
  });
  const first = pack.append(randomBytes(1000));
  const until = async (ok: () => Promise<boolean> | boolean) => { while (!(await ok())) await new Promise((r) => setTimeout(r, 1)); };
  await until(() => dirSyncs === 1);
  // Written while the first sync is under way: it waits for the next one, which will succeed.
  const second = pack.append(randomBytes(1000));
  await until(async () => (await stat(file)).size === 2000);
  failFirst(new Error('EIO'));
  await assert.rejects(first, /EIO/);
  await assert.rejects(second, /EIO/);
  assert.equal(dirSyncs, 2, 'the second piece had its own sync, and it succeeded');
  await assert.rejects(pack.append(randomBytes(10)), /EIO/);
  await pack.close();
  await rm(dir, { recursive: true, force: true });
});

test('a pack made again in a directory an erasure removed: the store makes the directory again', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-pack-'));
  const store = new LocalDiskStore(dir);
  await store.put('recordings/e/c/packs/first', randomBytes(10));
  await store.deleteTree('recordings/e/c');
  const pack = store.openPack('recordings/e/c/packs/p');
  const piece = randomBytes(1000);
  assert.equal(await pack.append(piece), 0);
  await pack.close();
  assert.deepEqual(await store.readRange('recordings/e/c/packs/p', 0, 1000), piece);
  await rm(dir, { recursive: true, force: true });
});

test('coalesced runs: calls before a run starts share it; a call during a run gets the next one, started after it', async () => {
  const started: (() => void)[] = [];
  const run = coalesced(() => new Promise<void>((resolve) => started.push(resolve)));
  const a = run();
  const b = run();
  assert.equal(a, b, 'both asked before the run started');
  await new Promise((r) => setImmediate(r));
  assert.equal(started.length, 1);
  const c = run();
  assert.notEqual(c, a, 'asked during the run: the next one');
  assert.equal(run(), c);
  await new Promise((r) => setImmediate(r));
  assert.equal(started.length, 1, 'the next run waits for the one under way');
  started[0]?.();
  await a;
  await new Promise((r) => setImmediate(r));
  assert.equal(started.length, 2);
  started[1]?.();
  await c;
});
