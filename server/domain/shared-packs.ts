import { randomBytes } from 'node:crypto';
import type { BlobStore, PackWriter } from '../storage/blob-store.js';
import { packKey, type Owner } from './chunk-keys.js';

/** A candidate's framed requests add to one pack for this long from its first byte… */
export const PACK_SHARED_MS = 5 * 60_000;
/** …and up to this size; then the next request starts a new one. */
export const PACK_MAX_BYTES = 256 * 1024 * 1024;
/** A pack no request has used for this long is closed (live batches come every 8 s). */
export const PACK_IDLE_MS = 20_000;

/** One request's use of its candidate's pack: its chunks go there; `release` when the request ends. */
export interface ChunkPack {
  readonly key: string;
  readonly writer: Pick<PackWriter, 'append'>;
  release(): void;
}

interface Open {
  readonly key: string;
  readonly writer: PackWriter;
  readonly opened: number;
  bytes: number;
  users: number;
  /** A write or sync failed: it takes nothing more (DiskPack), so no new request gets it. */
  failed: boolean;
  retired: boolean;
  idle: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The packs of a process's candidates, each shared by the candidate's requests for a while (local
 * disk): a new file per request cost an open, a close and — to make its name durable — a sync of
 * the directory, which every request's first chunk waited for (measured at 800 candidates: p50
 * 2–12 ms, p99 25–130 ms, after its data sync). A shared pack pays that
 * once; each chunk is still acknowledged only after a data sync that began once it was written.
 * Each process keeps its own (names are random), so several processes never write one file.
 */
export class SharedPacks {
  private readonly open = new Map<string, Open>();

  constructor(
    private readonly store: BlobStore,
    private readonly now: () => number,
    private readonly limits = { sharedMs: PACK_SHARED_MS, maxBytes: PACK_MAX_BYTES, idleMs: PACK_IDLE_MS },
  ) {}

  /** The candidate's current pack, or a new one; null where the store keeps no packs (S3). */
  acquire(owner: Owner): ChunkPack | null {
    if (!this.store.openPack) return null;
    const id = `${owner.exam}/${owner.candidate}`;
    let pack = this.open.get(id);
    if (pack && (pack.failed || performance.now() - pack.opened >= this.limits.sharedMs || pack.bytes >= this.limits.maxBytes)) {
      this.retire(id, pack);
      pack = undefined;
    }
    if (!pack) {
      const key = packKey(owner, `${this.now()}-${randomBytes(6).toString('hex')}`);
      pack = { key, writer: this.store.openPack(key), opened: performance.now(), bytes: 0, users: 0, failed: false, retired: false, idle: undefined };
      this.open.set(id, pack);
    }
    const used = pack;
    clearTimeout(used.idle);
    used.users++;
    let released = false;
    return {
      key: used.key,
      writer: {
        append: (bytes) => {
          used.bytes += bytes.length;
          return used.writer.append(bytes).catch((err: unknown) => {
            used.failed = true;
            throw err;
          });
        },
      },
      release: () => {
        if (released) return;
        released = true;
        if (--used.users > 0) return;
        if (used.retired) void this.close(used);
        else used.idle = setTimeout(() => this.retire(id, used), this.limits.idleMs).unref();
      },
    };
  }

  /** Closes every pack (at shutdown); each waits for its writes under way. */
  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((p) => {
      clearTimeout(p.idle);
      return this.close(p);
    }));
  }

  /** Open packs (for tests). */
  get size(): number {
    return this.open.size;
  }

  private retire(id: string, pack: Open): void {
    if (this.open.get(id) === pack) this.open.delete(id);
    clearTimeout(pack.idle);
    pack.retired = true;
    if (pack.users === 0) void this.close(pack);
  }

  private close(pack: Open): Promise<void> {
    // A failed pack's writes were refused already; its close only lets go of the file.
    return pack.writer.close().catch(() => undefined);
  }
}
