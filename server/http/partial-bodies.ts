/**
 * What arrived of chunk bodies the link cut before their end, kept so the device's retry sends
 * only the rest (`Upload-Offset`, named after the IETF resumable-uploads draft). Kept in this
 * process's memory, bounded in bytes and time: a retry that reaches another process (or this one
 * after a restart, or after the prefix was dropped) finds nothing and sends the chunk whole —
 * it costs bytes, never evidence. The digest is part of the key, and the whole body is checked
 * against it once complete, so a prefix can only ever help the body it was cut from.
 */
export class PartialBodies {
  private readonly held = new Map<string, { bytes: Uint8Array; at: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps what arrived (replacing an older prefix of the same body); the oldest go first when full. */
  keep(key: string, bytes: Uint8Array): void {
    this.drop(key);
    if (bytes.length === 0 || bytes.length > this.maxBytes) return;
    this.held.set(key, { bytes, at: this.now() });
    this.total += bytes.length;
    for (const [old] of this.held) {
      if (this.total <= this.maxBytes) break;
      this.drop(old);
    }
  }

  /** How many bytes of this body are held (0 when none). */
  size(key: string): number {
    return this.fresh(key)?.length ?? 0;
  }

  /** The held prefix, removed: a retry either completes the body or keeps a new prefix. */
  take(key: string): Uint8Array | undefined {
    const bytes = this.fresh(key);
    this.drop(key);
    return bytes;
  }

  /** Every fresh prefix whose key starts with `prefix`: the rest of its key and its length. */
  under(prefix: string): { rest: string; bytes: number }[] {
    const out: { rest: string; bytes: number }[] = [];
    for (const key of this.held.keys()) {
      if (!key.startsWith(prefix)) continue;
      const bytes = this.size(key);
      if (bytes > 0) out.push({ rest: key.slice(prefix.length), bytes });
    }
    return out;
  }

  get bytes(): number {
    return this.total;
  }

  private fresh(key: string): Uint8Array | undefined {
    const entry = this.held.get(key);
    if (entry && this.now() - entry.at > this.ttlMs) {
      this.drop(key);
      return undefined;
    }
    return entry?.bytes;
  }

  private drop(key: string): void {
    const entry = this.held.get(key);
    if (!entry) return;
    this.held.delete(key);
    this.total -= entry.bytes.length;
  }
}
