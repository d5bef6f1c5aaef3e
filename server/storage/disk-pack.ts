import type { PackWriter } from './blob-store.js';
import { coalesced, fdClose, fdDataSync, fdLinks, fdOpen, writeAll } from './fd-io.js';

/** The directory a pack is made in: made when missing, its entries made durable. */
export interface PackDir {
  /** `again`: it was there once but is gone now (an erasure): made again. */
  make(again?: boolean): Promise<void>;
  sync(): Promise<void>;
}

/**
 * One new file written piece by piece at reserved offsets (LocalDiskStore.openPack). Pieces are
 * written side by side; each one's promise settles after a data sync that began once it was
 * written, so pieces that finish together share one sync, and the first sync also makes the new
 * file's name durable. After a failed write or sync nothing more is taken: a later sync could
 * report success for pages the kernel already dropped.
 */
export class DiskPack implements PackWriter {
  private fd: Promise<number> | null = null;
  private end = 0;
  private named = false;
  private failed: Error | null = null;
  private readonly underway = new Set<Promise<unknown>>();
  /** Data syncs made (for tests). */
  syncs = 0;
  private readonly sync = coalesced(async () => {
    this.syncs++;
    const fd = await this.opened();
    await fdDataSync(fd);
    if (!this.named) {
      await this.dir.sync();
      this.named = true;
    }
    // A pack takes a candidate's requests for minutes (SharedPacks): an erasure (purge, retention)
    // may have deleted it meanwhile, and bytes synced into a file with no name are gone.
    if (await fdLinks(fd) === 0) throw new Error('the pack was deleted while it was written');
  });

  constructor(private readonly file: string, private readonly dir: PackDir) {}

  append(bytes: Uint8Array): Promise<number> {
    const offset = this.end;
    this.end += bytes.length;
    const done = (async () => {
      this.throwIfFailed();
      try {
        await writeAll(await this.opened(), bytes, offset);
        await this.sync();
        // Another piece's write or sync failed meanwhile: this one's durability is in doubt too.
        this.throwIfFailed();
      } catch (err) {
        this.failed ??= err instanceof Error ? err : new Error(String(err));
        throw err;
      }
      return offset;
    })();
    const settled = done.catch(() => undefined);
    this.underway.add(settled);
    void settled.then(() => this.underway.delete(settled));
    return done;
  }

  async close(): Promise<void> {
    await Promise.all(this.underway);
    const fd = await this.fd?.catch(() => null);
    this.fd = null;
    if (fd !== undefined && fd !== null) await fdClose(fd);
  }

  private throwIfFailed(): void {
    if (this.failed !== null) throw this.failed;
  }

  private opened(): Promise<number> {
    this.fd ??= this.dir.make().then(() => fdOpen(this.file, 'wx').catch(async (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.dir.make(true);
      return fdOpen(this.file, 'wx');
    }));
    return this.fd;
  }
}
