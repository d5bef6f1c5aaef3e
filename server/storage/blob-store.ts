/**
 * Where recording bytes live. Keys are `/`-separated paths of safe names. Local disk by default;
 * an S3-compatible store implements the same interface (a later issue).
 */
export interface BlobStore {
  /** Writes all of `bytes` under `key` atomically: a reader sees the whole value or none. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes in order, or null when the key is absent. */
  read(key: string): Promise<AsyncIterable<Uint8Array> | null>;
  /**
   * Bytes [start, end) of the value (fewer when it ends sooner), or null when the key is absent:
   * a player's range needs a part of a stored chunk, not all of it.
   */
  readRange(key: string, start: number, end: number): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
  /** Deletes every key under `prefix/` (nothing when there is none). */
  deleteTree(prefix: string): Promise<void>;
  /**
   * A new value under `key` written piece by piece (a request's chunks in one file: one file and
   * about one sync per request instead of one each). Stores that cannot append (S3) leave it out;
   * the caller then puts each piece under its own key.
   */
  openPack?(key: string): PackWriter;
}

/** Pieces appended to one stored value; each read back with `readRange` at its offset. */
export interface PackWriter {
  /** Writes `bytes` after the pieces before; settles with their offset once durable. */
  append(bytes: Uint8Array): Promise<number>;
  /** Waits for the appends under way and lets go of the file. */
  close(): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`unsafe storage key: ${key}`);
  }
}
