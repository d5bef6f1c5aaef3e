import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOLD_MS, startLadder, stepLadder, type LadderState } from '../../src/core/ladder.js';
import { PROBE_EVERY_MS, PROBE_LOST_MS, SocketProbe } from '../../src/core/socket-probe.js';
import { sdpSession } from '../../src/core/live-protocol.js';

const eventsRung = (at: number): LadderState => ({ ...startLadder(at), rung: 'events' });

test('each ping is one sample: answered with its round trip, or lost once it waited too long', () => {
  const p = new SocketProbe();
  p.sent(1, 0, true);
  p.sent(2, 5_000, true);
  assert.deepEqual(p.take(4_000), [], 'nothing decided yet');
  assert.equal(p.answered(1, 4_200), true);
  assert.equal(p.answered(1, 4_300), false, 'an answer counts once');
  assert.equal(p.answered(99, 4_300), false, "another sender's ping");
  assert.deepEqual(p.take(5_100), [{ at: 4_200, connected: true, lossPct: 0, rttMs: 4_200, availableKbps: null }]);
  const later = p.take(5_000 + PROBE_LOST_MS + 1);
  assert.deepEqual(later.map((s) => [s.lossPct, s.rttMs]), [[100, null]], 'ping 2 given up on');
  assert.equal(p.answered(2, 11_000), false, 'an answer after it was given up on is not counted again');
});

test('a socket that is not open is a sample too: not connected', () => {
  const p = new SocketProbe();
  p.sent(1, 100, false);
  assert.deepEqual(p.take(200), [{ at: 100, connected: false, lossPct: 100, rttMs: null, availableKbps: null }]);
});

test('an answer slower than the limit counts as lost, not as a round trip the ladder would accept', () => {
  const p = new SocketProbe();
  p.sent(1, 0, true);
  p.answered(1, PROBE_LOST_MS + 10);
  assert.equal(p.take(PROBE_LOST_MS + 20)[0]?.lossPct, 100);
});

test('on the events rung, answered pings climb the ladder to thumbnails; lost ones keep it there', () => {
  const climb = (answer: (id: number, at: number) => number | null) => {
    const p = new SocketProbe();
    let ladder = eventsRung(0);
    for (let i = 1, at = 0; i <= 5; i++, at += PROBE_EVERY_MS) {
      p.sent(i, at, true);
      const rtt = answer(i, at);
      if (rtt !== null) p.answered(i, at + rtt);
      for (const s of p.take(at + PROBE_EVERY_MS - 1)) ladder = stepLadder(ladder, s);
    }
    return ladder;
  };
  const recovered = climb(() => 120);
  assert.equal(recovered.rung, 'thumbnail');
  assert.ok(recovered.since >= HOLD_MS, 'not before the hold');
  assert.equal(climb(() => null).rung, 'events', 'no answers: stays');
  assert.equal(climb(() => 3_000).rung, 'events', 'answers 3 s late: too slow even for thumbnails');
  assert.equal(climb((i) => (i % 2 ? 100 : null)).rung, 'events', 'every other ping lost');
});

test("an offer's SDP session: the same across an ICE restart, another for a new peer connection", () => {
  const sdp = (id: string, v: number) => `v=0\r\no=- ${id} ${v} IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n`;
  assert.equal(sdpSession(sdp('4611731400430051336', 2)), '4611731400430051336');
  assert.equal(sdpSession(sdp('46117', 2)), sdpSession(sdp('46117', 3)));
  assert.notEqual(sdpSession(sdp('46117', 2)), sdpSession(sdp('99999', 2)));
  assert.equal(sdpSession('v=0\r\n'), null);
});
