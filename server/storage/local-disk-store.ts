import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertSafeKey, type BlobStore, type PackWriter } from './blob-store.js';
import { DiskPack } from './disk-pack.js';
import { coalesced, fdClose, fdDataSync, fdOpen, fdSync, readFull, writeAll } from './fd-io.js';

const TEMP_DIR = '.tmp';
/** Written once the old layout (temp files beside their targets) has been swept. */
const SWEPT_MARKER = '.tmp-swept-v1';
const LEGACY_TEMP = /\.tmp-[0-9a-f]{12}$/;

/**
 * Files under one directory, private to the server's user (directories 0700, files 0600). A put
 * is written to a temp file in `.tmp/`, synced, renamed into place and its directory synced; a
 * pack (`openPack`) is a new file written in place, piece by piece (disk-pack.ts).
 */
export class LocalDiskStore implements BlobStore {
  private readonly dirs = new Set<string>();
  /** Each directory's shared syncs (fd-io.ts `coalesced`); forgetting one only stops sharing. */
  private readonly dirSyncs = new Map<string, () => Promise<void>>();
  /** Directory syncs made (for tests and benchmarks). */
  dirSyncCount = 0;

  constructor(private readonly root: string) {}

  /** Removes temp files a crash left behind; call once before serving. Returns how many. */
  async removeTemporaries(): Promise<number> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const tempDir = path.join(this.root, TEMP_DIR);
    const left = await readdir(tempDir).catch(() => []);
    await rm(tempDir, { recursive: true, force: true });
    await mkdir(tempDir, { mode: 0o700 });
    let removed = left.length;
    const marker = path.join(this.root, SWEPT_MARKER);
    if (!existsSync(marker)) {
      const entries = await readdir(this.root, { recursive: true });
      for (const rel of entries) {
        if (!LEGACY_TEMP.test(rel)) continue;
        await rm(path.join(this.root, rel), { force: true });
        removed++;
      }
      await writeFile(marker, '', { mode: 0o600 });
    }
    return removed;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const file = this.file(key);
    const dir = path.dirname(file);
    await this.makeDir(dir);
    const tmp = path.join(this.root, TEMP_DIR, randomBytes(8).toString('hex'));
    const fd = await fdOpen(tmp, 'w').catch(async (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(path.dirname(tmp), { recursive: true, mode: 0o700 });
      return fdOpen(tmp, 'w');
    });
    try {
      await writeAll(fd, bytes, 0);
      await fdDataSync(fd);
    } catch (err) {
      await fdClose(fd).catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    }
    await fdClose(fd);
    await rename(tmp, file).catch(async (err: unknown) => {
      // Its directory was removed since (an erasure): made again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await rename(tmp, file);
    });
    // The new name is durable only once its directory is: without this a crash could lose a chunk
    // the server had already acknowledged.
    await this.syncDir(dir);
  }

  /** A new file under `key`, written piece by piece (BlobStore.openPack): no temp file, no rename. */
  openPack(key: string): PackWriter {
    const file = this.file(key);
    const dir = path.dirname(file);
    return new DiskPack(file, { make: (again) => this.makeDir(dir, again), sync: () => this.syncDir(dir) });
  }

  /** Chunks (and packs) of one recording (candidate) share a directory: made once, not looked up again each time. */
  private async makeDir(dir: string, again = false): Promise<void> {
    if (this.dirs.has(dir) && !again) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (this.dirs.size > 10_000) this.dirs.clear();
    this.dirs.add(dir);
  }

  /**
   * Makes the names made in `dir` so far durable. A sync covers every name made before it
   * starts, so puts into one directory at once (PUTs of one recording's chunks) share one: a call while
   * one waits to start joins it; a call while one runs gets the next, which starts after it.
   */
  private syncDir(dir: string): Promise<void> {
    let sync = this.dirSyncs.get(dir);
    if (!sync) {
      if (this.dirSyncs.size > 10_000) this.dirSyncs.clear();
      sync = coalesced(() => {
        this.dirSyncCount++;
        return fsyncDir(dir);
      });
      this.dirSyncs.set(dir, sync);
    }
    return sync();
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async: an unsafe key rejects, as every store's does
  async read(key: string): Promise<AsyncIterable<Uint8Array> | null> {
    const file = this.file(key);
    return existsSync(file) ? createReadStream(file) : null;
  }

  async readRange(key: string, start: number, end: number): Promise<Uint8Array | null> {
    const fd = await fdOpen(this.file(key), 'r').catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    });
    if (fd === null) return null;
    try {
      // Read straight into the one buffer handed on: no stream pieces, no joining copy.
      const out = Buffer.allocUnsafe(Math.max(0, end - Math.max(0, start)));
      return out.subarray(0, await readFull(fd, out, Math.max(0, start)));
    } finally {
      await fdClose(fd);
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async deleteTree(prefix: string): Promise<void> {
    await rm(this.file(prefix), { recursive: true, force: true });
  }

  private file(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split('/'));
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fd = await fdOpen(dir, 'r');
  try {
    await fdSync(fd);
  } finally {
    await fdClose(fd);
  }
}
