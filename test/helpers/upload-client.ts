import { createHash } from 'node:crypto';
import net from 'node:net';
import { chainHead, contentDigestHeader, toHex } from '../../src/core/hash-chain.js';
import { encodeFrameHeader, encodeSectionHeader, FRAMES_TYPE } from '../../src/core/upload-frames.js';

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

export interface TestFrame { segment: number; seq: number; bytes: Uint8Array; digestOf?: Uint8Array }

/** A v2 body: each chunk behind its 48-byte frame header (the digest over `digestOf`, the body by default). */
export function framesBody(frames: TestFrame[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => [
    encodeFrameHeader({ segment: f.segment, seq: f.seq, size: f.bytes.length, digest: createHash('sha256').update(f.digestOf ?? f.bytes).digest() }),
    f.bytes,
  ]));
}

/** POSTs several chunks in one framed body, as the uploader sends a backlog. */
export function postFrames(base: string, credential: string, id: string, body: Uint8Array, type = FRAMES_TYPE) {
  return fetch(`${base}/api/recordings/${id}/chunks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': type },
    body: Buffer.from(body),
  });
}

/** A body of several recordings (`POST /api/recordings/chunks`): each one's section header, then its frames. */
export function sectionsBody(sections: { recording: string; frames: TestFrame[] }[]): Buffer {
  return Buffer.concat(sections.flatMap((s) => [encodeSectionHeader(s.recording), framesBody(s.frames)]));
}

/** POSTs a body of sections, as the uploader sends a candidate's live chunks. */
export function postSections(base: string, credential: string, body: Uint8Array) {
  return fetch(`${base}/api/recordings/chunks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': FRAMES_TYPE },
    body: Buffer.from(body),
  });
}

/** Sends a framed POST's head and its body's first `sent` bytes over a raw socket, then hangs up. */
export function cutPost(base: string, path: string, credential: string, body: Uint8Array, sent: number): Promise<void> {
  const { hostname, port } = new URL(base);
  const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${credential}\r\n` +
    `Content-Type: ${FRAMES_TYPE}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname, () => {
      sock.write(Buffer.concat([Buffer.from(head), body.subarray(0, sent)]), () => setTimeout(() => { sock.destroy(); resolve(); }, 50));
    });
    sock.on('error', () => resolve());
  });
}
