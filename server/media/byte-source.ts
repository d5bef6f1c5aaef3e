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
  let held: { index: number; bytes: Uint8Array } | null = null;
  return spanned(sizes, async (index, start, end) => {
    if (held?.index !== index) {
      const bytes = await load(index);
      if (bytes.length !== sizes[index]) throw new Error(`stored piece ${index} has ${bytes.length} bytes, ${sizes[index]} expected`);
      held = { index, bytes };
    }
    return held.bytes.subarray(start, end);
  });
}

/**
 * Pieces of the given sizes of which each read loads only the bytes it asks for (`load(index,
 * start, end)`, offsets within the piece): what a player's ranges are served from, so a 256 KB
 * range costs 256 KB of memory, not the whole chunks it touches and their copies.
 */
export function rangedSource(sizes: readonly number[], load: (index: number, start: number, end: number) => Promise<Uint8Array>): ByteSource {
  return spanned(sizes, async (i, start, end) => {
    const bytes = await load(i, start, end);
    if (bytes.length !== end - start) throw new Error(`stored piece ${i} gave ${bytes.length} bytes at ${start}, ${end - start} expected`);
    return bytes;
  });
}

/** A source over consecutive pieces: a read within one piece is that piece's part; across pieces, the parts joined. */
function spanned(sizes: readonly number[], part: (index: number, start: number, end: number) => Promise<Uint8Array>): ByteSource {
  const starts = startsOf(sizes);
  const size = (starts.at(-1) ?? 0) + (sizes.at(-1) ?? 0);
  return {
    size,
    async read(start, end) {
      const from = Math.max(0, start);
      const to = Math.min(size, end);
      if (to <= from) return new Uint8Array(0);
      const first = pieceAt(starts, from);
      const base = starts[first] ?? 0;
      if (to <= base + (sizes[first] ?? 0)) return part(first, from - base, to - base);
      const out = new Uint8Array(to - from);
      for (let i = first, at = from; at < to; i++) {
        const s = starts[i] ?? 0;
        const bytes = await part(i, at - s, Math.min(sizes[i] ?? 0, to - s));
        out.set(bytes, at - from);
        at += bytes.length;
      }
      return out;
    },
  };
}

function startsOf(sizes: readonly number[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const s of sizes) {
    starts.push(at);
    at += s;
  }
  return starts;
}

/** The index of the piece holding byte `pos` (binary search over the pieces' starts). */
function pieceAt(starts: readonly number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
