/** Bitrates are in bits per second; what one exam may write to the device, in bytes. */
export interface Bitrates { videoBitsPerSecond: number; audioBitsPerSecond: number; screenBitsPerSecond: number }

/** Container overhead and bitrate overshoot (measured ≈ 7 % over the target on the fake camera). */
const OVERHEAD = 1.15;

export function expectedRecordingBytes(b: Bitrates, seconds: number): number {
  return Math.ceil(((b.videoBitsPerSecond + b.audioBitsPerSecond + b.screenBitsPerSecond) / 8) * seconds * OVERHEAD);
}

export type StorageVerdict = { ok: true } | { ok: false; freeBytes: number; neededBytes: number };

/** Entry needs free space for twice the expected recording (R1, R7): room for retries and the phone's copy. */
export function storageVerdict(quota: number | undefined, usage: number | undefined, expectedBytes: number): StorageVerdict {
  if (quota === undefined) return { ok: true };
  const freeBytes = Math.max(0, quota - (usage ?? 0));
  const neededBytes = 2 * expectedBytes;
  return freeBytes >= neededBytes ? { ok: true } : { ok: false, freeBytes, neededBytes };
}
