import type { Page } from 'playwright-core';

/** Writes a recording of `n` 2 KiB chunks, none acknowledged, straight into the app's IndexedDB, and announces it as the app's store would. */
export function seed(page: Page, examId: string, candidateId: string, n: number): Promise<string> {
  return page.evaluate<string>(`(async () => {
    const id = 'synthetic-3h-' + crypto.randomUUID().slice(0, 8);
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('invigil'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
    const chunks = [];
    for (let seq = 0; seq < ${n}; seq++) {
      const bytes = crypto.getRandomValues(new Uint8Array(2048));
      chunks.push({ recordingId: id, segment: 0, seq, blob: new Blob([bytes]), size: bytes.length, sha256: hex(await crypto.subtle.digest('SHA-256', bytes)) });
    }
    const tx = db.transaction(['recordings', 'chunks', 'pending'], 'readwrite');
    for (const c of chunks) {
      tx.objectStore('chunks').put(c);
      tx.objectStore('pending').put({ recordingId: c.recordingId, segment: c.segment, seq: c.seq, size: c.size, sha256: c.sha256 });
    }
    tx.objectStore('recordings').put({ id, examId: ${JSON.stringify(examId)}, candidateId: ${JSON.stringify(candidateId)}, kind: 'evidence', mimeType: 'video/webm',
      createdAt: Date.now(), state: 'recording', segments: [{ segment: 0, startedAt: Date.now(), mimeType: 'video/webm', chunks: ${n} }],
      chainHead: '0'.repeat(64), bytes: ${n} * 2048, uploadedBytes: 0, verifiedAt: null, problem: null });
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    db.close();
    // As the app's store does after a write (src/storage/store-events.ts): uploaders in other contexts read it.
    const channel = new BroadcastChannel('invigil-store');
    channel.postMessage({ store: 'recordings', id, change: 'other', origin: 'bench-seed' });
    channel.close();
    return id;
  })()`);
}

export function pendingOf(page: Page, id: string): Promise<number> {
  return page.evaluate<number>(`(async () => {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('invigil'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const range = IDBKeyRange.bound([${JSON.stringify(id)}, 0, 0], [${JSON.stringify(id)}, Infinity, Infinity]);
    const n = await new Promise((ok) => { const r = db.transaction('pending').objectStore('pending').count(range); r.onsuccess = () => ok(r.result); });
    db.close();
    return n;
  })()`);
}
