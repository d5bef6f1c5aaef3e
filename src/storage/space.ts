/**
 * Whether the disk has room, asked without IndexedDB. After a write failed for want of space the
 * device's database is left alone until a test write elsewhere (the origin-private file system)
 * succeeds: Chromium closes an IndexedDB connection after a failed write, and every re-open on a
 * full disk writes its metadata and fails (`IndexedDB Write Error: SET_UP_METADATA`). Seen on a
 * real full disk: after several such re-opens the next open found the LevelDB "Corruption:
 * checksum mismatch", and Chromium deleted the origin's database — every recording not yet
 * uploaded with it.
 */

/** Thrown when storage is full; the recorder lowers its bitrate and keeps what is stored. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
}

/** Also true across the worker boundary, where comlink keeps an error's name but not its class. */
export function isStorageFull(err: unknown): boolean {
  return err instanceof Error && err.name === 'StorageFullError';
}

export function isWriteError(err: unknown): boolean {
  return err instanceof Error && err.name === 'StorageWriteError';
}

/** A write failed for another reason (an aborted transaction, an I/O error): the chunk is retried. */
export class StorageWriteError extends Error {
  override readonly name = 'StorageWriteError';
}

/**
 * Only a real shortage is "full": QuotaExceededError, the browser's estimate nearly used up, or —
 * how a full filesystem shows (measured on a tmpfs: "DataError: Failed to write blobs (IOError)",
 * the estimate unchanged at ≈ 1 GB free) — a 1 MiB test write outside the database failing too.
 * Anything else (an aborted transaction, a one-off I/O error) is a write error, tried again. A full
 * disk keeps every context off the database until there is room.
 */
export async function writeFailure(err: DOMException): Promise<StorageFullError | StorageWriteError> {
  const full = await shortage(err);
  if (full === null) return new StorageWriteError(`${err.name}: ${err.message}`);
  noteStorageFull();
  return new StorageFullError(full);
}

const LOW_SPACE_BYTES = 16 * 1024 * 1024;
const PROBE_BYTES = 1024 * 1024;
async function shortage(err: DOMException): Promise<string | null> {
  const what = `${err.name}: ${err.message}`;
  // Chromium names it when LevelDB's own log could not grow: "… FILE_ERROR_NO_SPACE (…Append…)".
  if (err.name === 'QuotaExceededError' || /NO_SPACE|no space/i.test(err.message)) return what;
  const est = await navigator.storage.estimate().catch(() => null);
  const left = est?.quota === undefined ? Infinity : est.quota - (est.usage ?? 0);
  if (left < LOW_SPACE_BYTES) return `${what} (${Math.round(left / 1024)} KiB left)`;
  if (!(await canWriteFile(PROBE_BYTES))) return `${what} (a 1 MiB test write failed too)`;
  return null;
}

/** Room this much must be writable before the database is used again after a full disk. */
export const ROOM_BYTES = 4 * 1024 * 1024;
/** A failed test write stands this long: calls in the meantime fail without writing again. */
const RECHECK_MS = 1_000;
/**
 * Should the test write itself go on failing with room on the disk (a broken file system of its
 * own), one call this often goes through to the database anyway: a recording cannot stay paused
 * for good on a wrong answer. Rarely: on a disk that is really full, that call re-opens the
 * database, the very thing that corrupted it when done every second or two.
 */
const LET_THROUGH_MS = 5 * 60_000;
let heldSince = 0;

const CHANNEL = 'invigil-space';
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
let full = false;
let checking: Promise<boolean> | null = null;
let lastFailAt = -Infinity;

/** Holds the database shut from now (or since the hold began). */
function hold(): void {
  if (!full) heldSince = performance.now();
  full = true;
}

channel?.addEventListener('message', (e: MessageEvent) => {
  if (e.data === 'full') hold();
});

/** A write failed for want of space: every context of this origin stops using the database until there is room. */
export function noteStorageFull(): void {
  hold();
  lastFailAt = performance.now();
  channel?.postMessage('full');
}

/**
 * The browser closed our connection (it does after a write failed, as on a full disk): before it
 * is opened again, a test write must find room — opening writes to the database.
 */
export function suspectFull(): void {
  if (full) return;
  hold();
  lastFailAt = -Infinity;
}

/** True while this context holds the disk full (no room found since the last failure). */
export function storageHeldFull(): boolean {
  return full;
}

/**
 * Resolves once the database may be used (at once unless the disk was found full); otherwise
 * throws StorageFullError without touching IndexedDB.
 */
export async function ensureRoom(): Promise<void> {
  if (!full) return;
  if (performance.now() - heldSince > LET_THROUGH_MS) {
    full = false;
    return;
  }
  if (performance.now() - lastFailAt < RECHECK_MS) throw new StorageFullError('storage full (waiting for room)');
  checking ??= canWriteFile(ROOM_BYTES).finally(() => {
    checking = null;
  });
  if (await checking) {
    full = false;
    return;
  }
  lastFailAt = performance.now();
  channel?.postMessage('full');
  throw new StorageFullError(`storage full (a ${ROOM_BYTES >> 20} MiB test write failed)`);
}

/** Whether the test write has worked in this context: then its failing to start means no room too. */
let probeWorks = false;

/**
 * Whether `bytes` can be written now: a file of that size in the origin-private file system,
 * closed (which commits it), then removed. Starting the file writes that file system's own
 * records, which fails on a full disk too; where it never worked (a missing API, a browser that
 * refuses it), the browser's estimate answers instead. Call it once with room (before entry) so
 * that a later failure to start can count as a full disk.
 */
export async function canWriteFile(bytes: number): Promise<boolean> {
  const name = `space-probe-${crypto.randomUUID()}`;
  let file: FileSystemWritableFileStream;
  let root: FileSystemDirectoryHandle;
  try {
    root = await navigator.storage.getDirectory();
    file = await (await root.getFileHandle(name, { create: true })).createWritable();
  } catch {
    if (probeWorks) return false;
    const est = await navigator.storage.estimate().catch(() => null);
    return est?.quota === undefined || est.quota - (est.usage ?? 0) >= bytes;
  }
  try {
    await file.write(new Uint8Array(bytes));
    await file.close();
    probeWorks = true;
    return true;
  } catch {
    await file.abort().catch(() => undefined);
    return false;
  } finally {
    await removeProbe(root, name);
  }
}

/**
 * Right after an aborted write the file can still be locked by its writer for a moment (seen
 * once in CI: the probe left behind); each left-over probe would be one more file on a full disk.
 */
async function removeProbe(root: FileSystemDirectoryHandle, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await root.removeEntry(name);
      return;
    } catch (err) {
      if ((err as DOMException).name === 'NotFoundError' || attempt >= 5) return;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}
