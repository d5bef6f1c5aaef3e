import type { LocalRecording } from '../core/stored-schema.js';
import type { ChunkKey } from '../storage/db.js';
import type { DeviceSnapshot, LocalChunk } from '../storage/recording-store.js';
import { onStoreChange, type LocalChange, type StoreChange } from '../storage/store-events.js';
import { OutboxMirror } from './outbox-mirror.js';

/** Chunks kept in memory per recording while unsent (≈ a minute of 2 s chunks); beyond, the store is read. */
const MAX_FRESH = 32;

interface Entry {
  rec: LocalRecording;
  /** Every unacknowledged chunk of it on the device is in `fresh` (none to read from the store). */
  drained: boolean;
}

/**
 * What an upload pass knows without reading the device's store: the recordings, and for each
 * recording this context records, the chunks committed since the last pass (with their bytes,
 * handed over at commit). A pass beside a long exam then reads nothing: it sends what was just
 * stored. Anything it did not see written here — a write by another tab or the service worker, a
 * segment opened, a recording stopped — is announced (src/storage/store-events.ts) and makes the
 * next pass read the store again; so does a failure, and a worker that starts knows nothing.
 */
export class UploadLedger {
  private readonly entries = new Map<string, Entry>();
  private readonly fresh = new Map<string, LocalChunk[]>();
  /** The list of recordings is the store's (no recording was added or changed elsewhere since it was read). */
  private known = false;
  /** Counts changes heard, so a read that overlapped one is not taken as current. */
  private heard = 0;
  /** Acknowledgements being written in the background, one after another. */
  private acks: Promise<void> = Promise.resolve();
  /**
   * The outbox's items, known without a read once one read found them all; while not known, a
   * pass reads it (it may hold something).
   */
  readonly outbox = new OutboxMirror();

  private readonly unlisten: () => void;

  constructor(listen = true) {
    this.unlisten = listen ? onStoreChange((c) => this.local(c), (c) => this.remote(c)) : () => {};
  }

  /** Stops listening to the store (tests make one per case). */
  close(): void {
    this.unlisten();
  }

  /** What to read the store after: nothing changes is known between `mark()` and the read's use. */
  mark(): { heard: number; outbox: number } {
    return { heard: this.heard, outbox: this.outbox.mark() };
  }

  /** The device as known here, or null when the store must be read. */
  snapshot(): DeviceSnapshot | null {
    if (!this.known) return null;
    const pending = new Map<string, number>();
    for (const [id, e] of this.entries) {
      const n = e.drained ? this.fresh.get(id)?.length ?? 0 : 1;
      if (n > 0) pending.set(id, n);
    }
    const outbox = this.outbox.size() ?? 1;
    return { recordings: [...this.entries.values()].map((e) => e.rec), pending, outbox };
  }

  /** A snapshot read from the store since `mark`: known from now on, unless something changed meanwhile. */
  took(mark: { heard: number; outbox: number }, snap: DeviceSnapshot): DeviceSnapshot {
    const current = mark.heard === this.heard;
    this.entries.clear();
    for (const rec of snap.recordings) {
      // Nothing pending at the read: whatever was committed after it is in `fresh`.
      this.entries.set(rec.id, { rec, drained: current && !snap.pending.has(rec.id) });
    }
    this.known = current;
    if (snap.outbox === 0) this.outbox.took(mark.outbox, []);
    return snap;
  }

  /** The recording and its unsent chunks from memory, when no read of the store is needed. */
  fromMemory(id: string): { rec: LocalRecording; chunks: LocalChunk[] } | null {
    const e = this.entries.get(id);
    if (!this.known || !e?.drained || e.rec.state !== 'recording') return null;
    const chunks = [...(this.fresh.get(id) ?? [])];
    // A chunk of a segment the recording does not name yet: read the store (it names it).
    if (chunks.some((c) => !e.rec.segments[c.segment])) return null;
    return { rec: e.rec, chunks };
  }

  /** A read of the store found every unacknowledged chunk of `id` sent (since `mark`). */
  drained(id: string, mark: { heard: number }, rec: LocalRecording): void {
    if (mark.heard !== this.heard) return;
    const e = this.entries.get(id);
    if (e) {
      e.drained = true;
      e.rec = merge(e.rec, rec);
    }
  }

  /**
   * The server holds these chunks (of one recording): they leave memory, and their
   * acknowledgement is written — in one transaction — after those before it (the returned promise;
   * a pass from memory does not wait for it). A lost acknowledgement only offers a chunk again —
   * the server's list says it holds it, so it is not sent twice.
   */
  sent(chunks: readonly LocalChunk[], write: (keys: ChunkKey[]) => Promise<LocalRecording | undefined>): Promise<LocalRecording | undefined> {
    const id = chunks[0]?.recordingId;
    if (id === undefined) return Promise.resolve(undefined);
    const list = this.fresh.get(id);
    for (const chunk of chunks) {
      const i = list?.findIndex((c) => c.segment === chunk.segment && c.seq === chunk.seq) ?? -1;
      if (i >= 0) list?.splice(i, 1);
    }
    const done = this.acks.then(() => write(chunks.map((c) => [c.recordingId, c.segment, c.seq])));
    this.acks = done.then((rec) => {
      const e = this.entries.get(id);
      if (rec && e) e.rec = { ...e.rec, uploadedBytes: Math.max(e.rec.uploadedBytes, rec.uploadedBytes) };
    }, () => this.forget(id));
    return done;
  }

  /** Every acknowledgement written so far is committed. */
  settled(): Promise<void> {
    return this.acks;
  }

  /** Read the store again: for one recording (after a failure), or for all. */
  forget(id?: string): void {
    this.heard++;
    if (id === undefined) this.known = false;
    else {
      const e = this.entries.get(id);
      if (e) e.drained = false;
    }
  }

  private local(c: LocalChange): void {
    if (c.store === 'recordings' && c.change === 'append' && 'chunk' in c) {
      const list = this.fresh.get(c.id) ?? [];
      list.push(c.chunk);
      this.fresh.set(c.id, list);
      const e = this.entries.get(c.id);
      if (e) e.rec = merge(e.rec, c.rec);
      if (list.length > MAX_FRESH) {
        // Not sent for a while (offline): keep the bytes only in the store, and read it when the link returns.
        this.fresh.delete(c.id);
        this.forget(c.id);
      }
      return;
    }
    this.remote(c);
  }

  private remote(c: StoreChange): void {
    if (c.store === 'credentials') return;
    if (c.store === 'outbox') {
      this.outbox.heardChange(c);
      return;
    }
    // Appended elsewhere: that recording's chunks are read from the store. Anything else: all is read again.
    this.forget(c.change === 'append' && this.entries.has(c.id) ? c.id : undefined);
  }
}

/** The newer of two views of a recording: its chunks and chain from the later, the uploaded count the larger. */
function merge(a: LocalRecording, b: LocalRecording): LocalRecording {
  const later = b.bytes >= a.bytes ? b : a;
  return { ...later, uploadedBytes: Math.max(a.uploadedBytes, b.uploadedBytes) };
}

/** This context's ledger (the recorder worker's, or the service worker's). */
export const uploadLedger = new UploadLedger(typeof BroadcastChannel === 'function');
