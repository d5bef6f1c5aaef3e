import { expect } from '@open-wc/testing';
import { UploadScheduler, type PassResult } from '../../src/net/upload-scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scheduler whose passes only count themselves (every recording 'uploading'). */
function counting(liveBatchMs: number) {
  const passes: number[] = [];
  const t0 = performance.now();
  const scheduler = new UploadScheduler((): Promise<PassResult> => {
    passes.push(Math.round(performance.now() - t0));
    return Promise.resolve({ outcomes: new Map([['rec', { state: 'uploading', recordedBytes: 1, verifiedBytes: 0 }]]), requests: 0, waitMs: 0 });
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
});
