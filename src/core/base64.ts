/** Standard base64 (RFC 4648 §4) without DOM globals, so it runs in core, workers and Node. */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64.charAt((n >> 18) & 63) + B64.charAt((n >> 12) & 63);
    out += i + 1 < bytes.length ? B64.charAt((n >> 6) & 63) : '=';
    out += i + 2 < bytes.length ? B64.charAt(n & 63) : '=';
  }
  return out;
}

/** Strict: padded, standard alphabet; null for anything else. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 4 !== 0) return null;
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 4) {
    const quad = text.slice(i, i + 4);
    const values = quad.split('').map((ch) => (ch === '=' ? 0 : B64.indexOf(ch)));
    if (values.some((v) => v < 0)) return null;
    const n = values.reduce((acc, v) => (acc << 6) | v, 0);
    out.push((n >> 16) & 255);
    if (quad[2] !== '=') out.push((n >> 8) & 255);
    if (quad[3] !== '=') out.push(n & 255);
  }
  return Uint8Array.from(out);
}
