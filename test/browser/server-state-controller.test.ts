import { expect } from '@open-wc/testing';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CandidateFlow } from '../../src/candidate/candidate-flow.js';
import { ServerStateController } from '../../src/candidate/server-state-controller.js';
import { reachability } from '../../src/net/reachability.js';

/**
 * A candidate flow that only counts: each read of the server takes `ms` and reaches it when
 * `reaches` says so (no candidate signed in: the read is the clock and the public exams).
 */
function fakeFlow(ms: number) {
  const counts = { reads: 0 };
  let reaches = true;
  const wait = () => new Promise((r) => setTimeout(r, ms));
  const flow = {
    me: null,
    restore: () => Promise.resolve(),
    now: () => Date.now(),
    session: {
      session: null,
      clock: { syncNow: async () => { counts.reads++; const reached = reaches; await wait(); return reached; } },
      publicExams: () => Promise.resolve([]),
    },
  } as unknown as CandidateFlow;
  return { flow, counts, setReaches: (r: boolean) => { reaches = r; } };
}

function host(): ReactiveControllerHost & { controllers: ReactiveController[] } {
  const controllers: ReactiveController[] = [];
  return {
    controllers,
    addController: (c) => controllers.push(c),
    removeController: () => {},
    requestUpdate: () => {},
    updateComplete: Promise.resolve(true),
  };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the candidate\'s view of the server when the link returns', () => {
  let ctl: ServerStateController;
  afterEach(() => {
    ctl.hostDisconnected();
    reachability.seen(true);
  });

  it('reads the server once when the browser and our own probe both say the link is back', async () => {
    const { flow, counts } = fakeFlow(100);
    ctl = new ServerStateController(host(), flow, () => null, () => Promise.resolve(), () => {});
    ctl.hostConnected();
    await settle(150);
    expect(counts.reads, 'the read at start').to.equal(1);
    reachability.seen(false);
    // The browser's `online`, and a moment later our probe's answer.
    window.dispatchEvent(new Event('online'));
    await settle(20);
    reachability.seen(true);
    await settle(300);
    expect(counts.reads).to.equal(2);
  });

  it('reads again when the read under way could not reach the server', async () => {
    const { flow, counts, setReaches } = fakeFlow(100);
    ctl = new ServerStateController(host(), flow, () => null, () => Promise.resolve(), () => {});
    ctl.hostConnected();
    await settle(150);
    setReaches(false);
    window.dispatchEvent(new Event('online'));
    await settle(20);
    setReaches(true);
    reachability.seen(false);
    reachability.seen(true);
    await settle(400);
    expect(counts.reads).to.equal(3);
    // One return, one read: nothing more queued.
    await settle(200);
    expect(counts.reads).to.equal(3);
  });
});
