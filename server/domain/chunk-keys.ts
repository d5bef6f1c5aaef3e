import { createHash } from 'node:crypto';

/**
 * Whose recording this is: from the device upload credential. With `device`, only the device that
 * created a recording may add to it (after a takeover the old device still uploads its own).
 */
export interface Owner { exam: string; candidate: string; device?: string }

/** Where a chunk's bytes are kept: content-addressed, so two racing bodies for one key never overwrite each other. */
export function chunkKey(owner: Owner, id: string, segment: number, seq: number, hex: string): string {
  return `recordings/${owner.exam}/${owner.candidate}/${id}/${segment}/${seq}-${hex}.webm-chunk`;
}

/** A chunk's digest, as the chain (src/core/hash-chain.ts) takes it. */
export const sha256 = (b: Uint8Array): Promise<Uint8Array> => Promise.resolve(new Uint8Array(createHash('sha256').update(b).digest()));
