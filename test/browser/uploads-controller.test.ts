import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import type { ReactiveControllerHost } from 'lit';
import { UploadsController } from '../../src/candidate/uploads-controller.js';
import { DB_NAME, closeDb, getDb } from '../../src/storage/db.js';
import { ensureRecording } from '../../src/storage/recording-store.js';

/** A host that only counts its updates. */
function host(): ReactiveControllerHost & { updates: number } {
  return {
    updates: 0,
    addController() {},
    removeController() {},
    requestUpdate() { this.updates++; },
    updateComplete: Promise.resolve(true),
  };
}

describe('the upload screen follows what other contexts write', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('a recording the service worker verified shows as verified at once, not after the page\'s next pass', async () => {
    const id = 'rec-controller-0001';
    await ensureRecording({
      id, examId: 'e', candidateId: 'c', kind: 'camera', mimeType: 'video/webm', createdAt: 0, state: 'stopped',
      segments: [], bytes: 100, uploadedBytes: 100, verifiedAt: null, problem: null, chainHead: 'h',
    });
    const uploads = new UploadsController(host(), () => ({ examId: 'e', candidateId: 'c' }));
    uploads.listen();
    await uploads.refresh();
    expect(uploads.recordings.map((r) => r.state)).to.deep.equal(['stopped']);
    // Another context (not this module) verifies it and says so on the store's channel.
    const db = await getDb();
    const rec = (await db.get('recordings', id)) as Record<string, unknown>;
    await db.put('recordings', { ...rec, state: 'verified', verifiedAt: 5 });
    const channel = new BroadcastChannel('invigil-store');
    channel.postMessage({ store: 'recordings', id, change: 'other', origin: 'the-service-worker' });
    channel.close();
    const t0 = performance.now();
    while (uploads.recordings[0]?.state !== 'verified' && performance.now() - t0 < 3_000) await new Promise((r) => setTimeout(r, 20));
    expect(uploads.recordings.map((r) => r.state)).to.deep.equal(['verified']);
    // At once: the first change of a burst is read without waiting out the 200 ms the rest wait.
    expect(performance.now() - t0).to.be.below(150);
    // A second change inside the 200 ms is read at the end of them, not lost.
    await db.put('recordings', { ...rec, state: 'verified', verifiedAt: 5, problem: 'later' });
    const again = new BroadcastChannel('invigil-store');
    again.postMessage({ store: 'recordings', id, change: 'other', origin: 'the-service-worker' });
    again.close();
    while (uploads.recordings[0]?.problem !== 'later' && performance.now() - t0 < 3_000) await new Promise((r) => setTimeout(r, 20));
    expect(uploads.recordings[0]?.problem).to.equal('later');
    uploads.hostDisconnected();
  });
});
