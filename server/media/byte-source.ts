/**
 * Random access to a stream stored as consecutive pieces (a segment's chunks), holding one piece
 * at a time: a 2-hour recording is read, indexed and served without being held in memory.
 */
export interface ByteSource {
  readonly size: number;
  /** Bytes [start, end), clamped to the source. */
  read(start: number, end: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (start, end) => Promise.resolve(bytes.subarray(Math.max(0, start), Math.max(0, end))) };
}

/** Pieces of the given sizes, each loaded (whole) when a read first touches it; the last one kept. */
export function piecesSource(sizes: readonly number[], load: (index: number) => Promise<Uint8Array>): ByteSource {
  const starts: number[] = [];
  let size = 0;
  for (const s of sizes) {
    starts.push(size);
    size += s;
  }
  let held: { index: number; bytes: Uint8Array } | null = null;
  const piece = async (index: number) => {
    if (held?.index !== index) {
      const bytes = await load(index);
      if (bytes.length !== sizes[index]) throw new Error(`stored piece ${index} has ${bytes.length} bytes, ${sizes[index]} expected`);
      held = { index, bytes };
    }
    return held.bytes;
  };
  /** The piece holding byte `pos` (binary search). */
  const indexOf = (pos: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    size,
    async read(start, end) {
      const from = Math.max(0, start);
      const to = Math.min(size, end);
      if (to <= from) return new Uint8Array(0);
      const first = indexOf(from);
      const base = starts[first] ?? 0;
      if (to <= base + (sizes[first] ?? 0)) return (await piece(first)).subarray(from - base, to - base);
      const out = new Uint8Array(to - from);
      for (let i = first, at = from; at < to; i++) {
        const p = await piece(i);
        const s = starts[i] ?? 0;
        const part = p.subarray(at - s, Math.min(p.length, to - s));
        out.set(part, at - from);
        at += part.length;
      }
      return out;
    },
  };
}
