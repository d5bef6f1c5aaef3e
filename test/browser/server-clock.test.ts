import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { ApiClient } from '../../src/net/api-client.js';
import { ServerClock } from '../../src/net/server-clock.js';
import { DB_NAME, closeDb } from '../../src/storage/db.js';

/** A device whose clocks the test moves; a server one hour ahead of the device clock. */
function world() {
  const w = { mono: 1_000, wall: 5_000_000, online: true, rtts: [80, 20, 50], asked: 0 };
  const SERVER_AHEAD = 3_600_000;
  const fetchFn = (() => {
    w.asked++;
    if (!w.online) return Promise.reject(new TypeError('Failed to fetch'));
    const rtt = w.rtts.shift() ?? 40;
    const server = w.wall + SERVER_AHEAD + rtt / 2;
    w.mono += rtt;
    w.wall += rtt;
    return Promise.resolve(new Response(JSON.stringify({ now: server }), { headers: { 'content-type': 'application/json' } }));
  }) as typeof fetch;
  const platform = { mono: () => w.mono, wall: () => w.wall };
  const truth = () => w.wall + SERVER_AHEAD;
  return { w, platform, truth, api: new ApiClient(null, { fetch: fetchFn }) };
}

describe('ServerClock', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('follows the server, keeps the best sample, and ignores a moved device clock', async () => {
    const { w, platform, truth, api } = world();
    const clock = new ServerClock(api, platform);
    expect(await clock.syncNow()).to.equal(true);
    expect(Math.abs(clock.now() - truth())).to.be.at.most(10);
    w.wall -= 7_200_000; // the candidate moves the device clock back two hours
    expect(Math.abs(clock.now() - (truth() + 7_200_000))).to.be.at.most(10);
  });

  it('takes three round trips for a first estimate, one while it holds its own', async () => {
    const { w, platform, truth, api } = world();
    const clock = new ServerClock(api, platform);
    await clock.syncNow();
    expect(w.asked).to.equal(3);
    w.rtts.push(400); // the link comes back slow: that sample is worse and does not replace the estimate
    expect(await clock.syncNow()).to.equal(true);
    expect(w.asked).to.equal(4);
    expect(Math.abs(clock.now() - truth())).to.be.at.most(10);
    // Carried across a reload: three again (the device clock may have moved meanwhile).
    w.mono = 5;
    const reopened = new ServerClock(api, platform);
    await reopened.restore();
    await reopened.syncNow();
    expect(w.asked).to.equal(7);
  });

  it('runs on offline and restores across a reload from IndexedDB', async () => {
    const { w, platform, truth, api } = world();
    const clock = new ServerClock(api, platform);
    await clock.syncNow();
    w.online = false;
    w.mono += 600_000;
    w.wall += 600_000;
    expect(Math.abs(clock.now() - truth())).to.be.at.most(10);
    expect(await clock.syncNow()).to.equal(false);
    // A reload: the monotonic clock restarts; the stored sync is carried on the device clock.
    w.mono = 5;
    const reopened = new ServerClock(api, platform);
    await reopened.restore();
    expect(reopened.known).to.equal(true);
    expect(Math.abs(reopened.now() - truth())).to.be.at.most(10);
  });
});
