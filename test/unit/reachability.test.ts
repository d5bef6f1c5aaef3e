import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { Reachability } from '../../src/net/reachability.js';

test('no connection marks the server unreachable and starts probing (5 s, doubling to 30 s); a reply ends it', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let answers = false;
    const probes: number[] = [];
    let t = 0;
    const r: Reachability = new Reachability(() => {
      probes.push(t);
      r.seen(answers);
      return Promise.resolve();
    });
    const changes: boolean[] = [];
    r.addEventListener('change', () => changes.push(r.reachable));
    r.seen(true);
    assert.deepEqual(changes, [], 'reachable already: no change');
    r.seen(false);
    for (const step of [5_000, 10_000, 20_000, 30_000, 30_000]) {
      t += step;
      mock.timers.tick(step);
      await Promise.resolve();
      await Promise.resolve();
    }
    assert.deepEqual(probes, [5_000, 15_000, 35_000, 65_000, 95_000], 'probes back off to every 30 s');
    answers = true;
    r.retryNow();
    await Promise.resolve();
    assert.equal(r.reachable, true, 'the browser said online: asked at once, and answered');
    assert.deepEqual(changes, [false, true]);
    mock.timers.tick(60_000);
    assert.equal(probes.length, 6, 'no probing while reachable');
  } finally {
    mock.timers.reset();
  }
});
