import { expect } from '@open-wc/testing';
import { LiveReceiver } from '../../src/proctor/live-receiver.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LiveReceiver: its frame poll tells only news', () => {
  it('a poll that finds nothing new asks for no redraw; a change of what is shown asks once', async function () {
    this.timeout(12_000);
    let changed = 0;
    const rx = new LiveReceiver({ iceServers: [], signal: () => undefined, changed: () => { changed++; } });
    try {
      // No rung yet: two polls (every 2 s) pass without news — sixteen tiles used to redraw the room at each.
      await sleep(4_500);
      expect(changed).to.equal(0);
      // The candidate's side says "video", but nothing is connected: the tile shows events only,
      // learnt at the next poll, once.
      rx.rung = 'video';
      expect(rx.shown).to.equal('events');
      await sleep(4_500);
      expect(changed).to.equal(1);
    } finally {
      rx.destroy();
    }
  });

  it('a rung told over the socket shows at once, on a link that never connected (its data channel word was lost)', () => {
    let changed = 0;
    const rx = new LiveReceiver({ iceServers: [], signal: () => undefined, changed: () => { changed++; } });
    try {
      expect(rx.shown).to.equal(null);
      rx.told('events');
      expect([rx.shown, changed]).to.deep.equal(['events', 1]);
      rx.told('events');
      expect(changed).to.equal(1, 'the same word again is no news');
    } finally {
      rx.destroy();
    }
  });
});
