/**
 * One `Range: bytes=…` request against a body of `size` bytes (RFC 9110 §14): the half-open
 * span asked for, 'unsatisfiable' (416), or null — no Range, several ranges or another unit,
 * which a server may answer with the whole body.
 */
export type RangeAsk = { start: number; end: number } | 'unsatisfiable' | null;

export function parseRange(header: string | undefined, size: number): RangeAsk {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return null;
  if (first === '') {
    // A suffix: the last N bytes.
    const n = Number(last);
    return n === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size : Math.min(size, Number(last) + 1);
  // "last" before "first" is not a valid range: the header is ignored.
  return end <= start ? null : { start, end };
}

/** A pull stream over an async generator: the next piece is read only when the socket takes the last. */
export function pullStream(pieces: AsyncGenerator<Uint8Array, void>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
}
