import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { ExamRecorder } from '../../src/media/exam-recorder.js';
import { RecorderUnavailableError, endRecorderWorker, ensureRecorderReady } from '../../src/media/recorder-worker-client.js';
import { DB_NAME, closeDb } from '../../src/storage/db.js';
import { meFixture } from '../helpers/me-fixture.js';

const WORKER = new URL('../../workers/recorder.worker.ts', import.meta.url).href;

/** Starts an exam recorder whose worker is at `url`; reports whether the server would have been asked to enter. */
async function enterWith(url: string, readyTimeoutMs = 3_000): Promise<{ error: unknown; askedServer: boolean }> {
  let askedServer = false;
  const rec = new ExamRecorder(meFixture(), { now: () => Date.now(), onChunk: () => {}, onError: () => {}, workerUrl: url, readyTimeoutMs });
  try {
    await rec.start({}, () => {
      askedServer = true;
      return Promise.resolve();
    });
    await rec.end();
    return { error: null, askedServer };
  } catch (error) {
    return { error, askedServer };
  }
}

describe('the recorder is checked before entry (no entry is recorded without a working recorder)', function () {
  this.timeout(30_000);
  afterEach(async () => {
    endRecorderWorker();
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('a worker that fails to load: a clear error at once, the server never asked', async () => {
    const t0 = performance.now();
    const { error, askedServer } = await enterWith('/no-such-recorder.worker.js');
    expect(error).to.be.instanceOf(RecorderUnavailableError);
    expect(askedServer).to.equal(false);
    expect(performance.now() - t0).to.be.below(3_000);
  });

  it('a worker that loads but never answers: the same error after the timeout, not a hang', async () => {
    const { error, askedServer } = await enterWith(new URL('./fixtures/silent-worker.js', import.meta.url).href, 1_500);
    expect(error).to.be.instanceOf(RecorderUnavailableError);
    expect((error as Error).message).to.contain('did not answer');
    expect(askedServer).to.equal(false);
  });

  it('the real worker passes: it runs and a write to IndexedDB commits; then the server is asked', async () => {
    const check = await ensureRecorderReady(WORKER);
    expect(check.quota).to.be.greaterThan(0);
    const { error, askedServer } = await enterWith(WORKER);
    expect(error).to.equal(null);
    expect(askedServer).to.equal(true);
  });
});
