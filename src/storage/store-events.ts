import type { LocalRecording } from '../core/stored-schema.js';

/** A chunk as stored (the shape of recording-store's LocalChunk, named here to keep imports one-way). */
export interface StoredChunk { recordingId: string; segment: number; seq: number; blob: Blob; size: number; sha256: string }

/**
 * What a write changed in the device's store, told to every context of this origin (tabs, the
 * recorder worker, the service worker) once it has committed — so an uploader can keep what it
 * knows in memory and read the store again only when something it did not write has changed.
 */
export type StoreChange =
  | { store: 'recordings'; id: string; change: 'append' | 'other' }
  | OutboxChange
  | { store: 'credentials' };

/**
 * The outbox changed: items added (with their keys and themselves: a context that knows the
 * outbox need not read it), keys removed (sent, or set aside). Neither: read it again.
 */
export interface OutboxChange { store: 'outbox'; added?: { key: number; item: unknown }[]; removed?: number[] }

/** Heard in the context that wrote it: an appended chunk comes with its bytes and the recording as it now stands. */
export type LocalChange = StoreChange | { store: 'recordings'; id: string; change: 'append'; chunk: StoredChunk; rec: LocalRecording };

const CHANNEL = 'invigil-store';
/** This context: a channel hears its own posts through a second channel object, so each post names its sender. */
const ORIGIN = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
const hasChannel = typeof BroadcastChannel === 'function';
const out = hasChannel ? new BroadcastChannel(CHANNEL) : null;
const here = new Set<(change: LocalChange) => void>();

/** After a commit: this context's listeners hear it at once, the others by message. */
export function announce(change: LocalChange): void {
  for (const listener of here) listener(change);
  const shared: StoreChange = change.store === 'recordings' ? { store: 'recordings', id: change.id, change: change.change } : change;
  out?.postMessage({ ...shared, origin: ORIGIN });
}

/**
 * Listens to changes: `local` hears this context's writes (synchronously, after their commit),
 * `remote` every other context's.
 */
export function onStoreChange(local: (change: LocalChange) => void, remote: (change: StoreChange) => void): () => void {
  here.add(local);
  const inbox = hasChannel ? new BroadcastChannel(CHANNEL) : null;
  if (inbox) {
    inbox.onmessage = (e: MessageEvent<StoreChange & { origin?: string }>) => {
      if (e.data.origin === ORIGIN) return;
      remote(e.data);
    };
  }
  return () => {
    here.delete(local);
    inbox?.close();
  };
}
