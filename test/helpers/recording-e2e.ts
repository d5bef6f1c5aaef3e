import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';

export interface LocalCopy { id: string; kind: string; chainHead: string; sha256: string; bytes: number; chunks: number; segments: number }

/**
 * What the device holds, read from IndexedDB in the page: per recording, the hash of all its
 * bytes in order. Plain JS in a string: tsx would decorate a function with helpers the page lacks.
 */
const LOCAL_COPIES = `(async () => {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open('invigil');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const all = (store) => new Promise((resolve, reject) => {
    const req = db.transaction(store).objectStore(store).getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const recs = await all('recordings');
  const chunks = await all('chunks');
  db.close();
  const out = [];
  for (const r of recs) {
    const mine = chunks.filter((c) => c.recordingId === r.id).sort((a, b) => a.segment - b.segment || a.seq - b.seq);
    const bytes = new Uint8Array(await new Blob(mine.map((c) => c.blob)).arrayBuffer());
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    out.push({ id: r.id, kind: r.kind, chainHead: r.chainHead, sha256, bytes: bytes.length, chunks: mine.length, segments: r.segments.length });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind));
})()`;

export function localCopies(page: Page): Promise<LocalCopy[]> {
  return page.evaluate<LocalCopy[]>(LOCAL_COPIES);
}

/** The server's stored copy of a recording: all chunk files in (segment, seq) order, hashed. */
export async function serverCopy(dataDir: string, examId: string, candidateId: string, recordingId: string): Promise<{ sha256: string; bytes: number; chunks: number }> {
  const root = path.join(dataDir, 'blobs', 'recordings', examId, candidateId, recordingId);
  const files: { segment: number; seq: number; file: string }[] = [];
  for (const seg of await readdir(root)) {
    for (const f of await readdir(path.join(root, seg))) {
      const m = /^(\d+)-[0-9a-f]{64}\.webm-chunk$/.exec(f);
      if (m) files.push({ segment: Number(seg), seq: Number(m[1]), file: path.join(root, seg, f) });
    }
  }
  files.sort((a, b) => a.segment - b.segment || a.seq - b.seq);
  const hash = createHash('sha256');
  let bytes = 0;
  for (const f of files) {
    const b = await readFile(f.file);
    bytes += b.length;
    hash.update(b);
  }
  return { sha256: hash.digest('hex'), bytes, chunks: files.length };
}
