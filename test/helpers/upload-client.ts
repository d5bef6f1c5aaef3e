import { createHash } from 'node:crypto';
import { chainHead, contentDigestHeader, toHex } from '../../src/core/hash-chain.js';

export const sha256 = (b: Uint8Array) => Promise.resolve(new Uint8Array(createHash('sha256').update(b).digest()));

/** PUTs one chunk the way the uploader does (Content-Digest over the exact body). */
export function putChunk(base: string, credential: string, id: string, segment: number, seq: number, bytes: Uint8Array, digestOf: Uint8Array = bytes) {
  return fetch(`${base}/api/recordings/${id}/segments/${segment}/chunks/${seq}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${credential}`,
      'content-type': 'application/octet-stream',
      'content-digest': contentDigestHeader(createHash('sha256').update(digestOf).digest()),
    },
    body: Buffer.from(bytes),
  });
}

export async function headOf(id: string, chunks: { segment: number; seq: number; bytes: Uint8Array }[]): Promise<string> {
  return toHex(await chainHead(sha256, id, await Promise.all(chunks.map(async (c) => ({ segment: c.segment, seq: c.seq, digest: await sha256(c.bytes) })))));
}
