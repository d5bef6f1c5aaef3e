import { expect } from '@open-wc/testing';
import { BUSY_RECHECK_MS, UploadScheduler, type PassResult } from '../../src/net/upload-scheduler.js';
import type { UploadOutcome } from '../../src/net/uploader.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scheduler whose passes only count themselves (every recording 'uploading', or `outcome`). */
function counting(liveBatchMs: number, outcomes: [string, UploadOutcome][] = [['rec', { state: 'uploading', recordedBytes: 1, verifiedBytes: 0 }]]) {
  const passes: number[] = [];
  const t0 = performance.now();
  const scheduler = new UploadScheduler((): Promise<PassResult> => {
    passes.push(Math.round(performance.now() - t0));
    return Promise.resolve({ outcomes: new Map(outcomes), requests: 0, waitMs: 0 });
  }, () => {}, liveBatchMs);
  return { scheduler, passes };
}

describe('the upload scheduler batches live chunks', () => {
  it('chunks stored within the window go up in one pass at its end, not one pass each', async () => {
    const { scheduler, passes } = counting(300);
    for (let i = 0; i < 5; i++) {
      scheduler.kickSoon();
      await sleep(40);
    }
    expect(passes, 'nothing yet: the chunks wait for the next ones').to.deep.equal([]);
    await sleep(200);
    expect(passes).to.have.length(1);
    expect(passes[0]).to.be.within(290, 450);
    scheduler.kickSoon();
    await sleep(400);
    expect(passes, 'the next chunk opens the next window').to.have.length(2);
    scheduler.stop();
  });

  it('an urgent kick (an event, a chat message, the end of a recording) runs now and takes the waiting chunks along', async () => {
    const { scheduler, passes } = counting(300);
    scheduler.kickSoon();
    await sleep(50);
    scheduler.kick();
    await sleep(20);
    expect(passes).to.have.length(1);
    expect(passes[0]).to.be.below(150);
    await sleep(400);
    expect(passes, 'no second pass for chunks the urgent one already sent').to.have.length(1);
    scheduler.kickSoon();
    scheduler.stop();
    await sleep(400);
    expect(passes, 'a stopped scheduler runs nothing').to.have.length(1);
  });

  it('another context at the outbox (it may fail): the next pass comes within seconds, not the idle 15 s', async () => {
    const verified = { state: 'verified' as const, recordedBytes: 1, verifiedBytes: 1 };
    const busy = counting(300, [['rec', verified], ['outbox', { state: 'busy', recordedBytes: 0, verifiedBytes: 0 }]]);
    const uploading = counting(300);
    // A recording another context uploads (a backlog, say) is not looked at every 3 s.
    const recordingBusy = counting(300, [['rec', { state: 'busy', recordedBytes: 1, verifiedBytes: 0 }]]);
    const all = [busy, uploading, recordingBusy];
    for (const s of all) s.scheduler.kick();
    await sleep(BUSY_RECHECK_MS + 600);
    for (const s of all) s.scheduler.stop();
    expect(busy.passes).to.have.length(2);
    expect(busy.passes[1]).to.be.within(BUSY_RECHECK_MS - 50, BUSY_RECHECK_MS + 500);
    expect(uploading.passes, 'a recording only uploading waits the idle interval').to.have.length(1);
    expect(recordingBusy.passes, 'so does a recording another context uploads').to.have.length(1);
  });
});
