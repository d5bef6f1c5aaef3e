import { expect } from '@open-wc/testing';
import { CandidateFlow } from '../../src/candidate/candidate-flow.js';
import { acknowledge, peek } from '../../src/storage/outbox.js';
import { MIN, meFixture } from '../helpers/me-fixture.js';

describe('candidate flow', () => {
  it('【结束考试】: whenever the upload step can show (and its 【退出登录】 asks the outbox), the early end is already in the outbox', async () => {
    const now = Date.now();
    const me = meFixture({
      progress: { enteredAt: now - 2 * MIN, endedAt: null, extraMs: 0, endedBy: null },
      exam: { ...meFixture().exam, id: 'flow-end', times: { ...meFixture().exam.times, entryOpensAt: now - 10 * MIN, startAt: now - MIN, entryClosesAt: now - MIN, answeringAt: now + 9 * MIN, endAt: now + 14 * MIN } },
    });
    const flow = new CandidateFlow();
    flow.session.snapshot = { me, savedAt: now };
    await flow.loadFlow();
    expect(flow.step()).to.equal('exam');
    const isEnd = (q: Awaited<ReturnType<typeof peek>>[number]) => q.item.kind === 'event' && q.item.event.type === 'ended-early' && q.item.examId === 'flow-end';
    let done = false;
    const ending = flow.endEarly().then(() => { done = true; });
    const seen: boolean[] = [];
    // Looked at right after the click and at every turn of the event loop until it resolves.
    for (;;) {
      const finished = done;
      if (flow.step() === 'upload') seen.push((await peek(100)).some(isEnd));
      if (finished) break;
      await new Promise((r) => setTimeout(r));
    }
    await ending;
    expect(seen.length, 'the upload step was reached').to.be.greaterThan(0);
    expect(seen.every(Boolean), `in the outbox each time the upload step showed: ${seen.join(' ')}`).to.equal(true);
    await acknowledge((await peek(100)).filter(isEnd).map((q) => q.key));
  });
});
