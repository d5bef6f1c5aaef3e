import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOWN_AFTER, HOLD_MS, MAX_HOLD_MS, SETTLE_MS, TRIAL_MS, UP_AFTER, startLadder, stepLadder, withTop, type LadderState, type LinkSample } from '../../src/core/ladder.js';
import { attention, byAttention, completeness, gridColumns, gridSize, inHeldOrder } from '../../src/core/attention.js';
import type { CandidateTile } from '../../src/core/room-schema.js';
import { linkSample } from '../../src/net/link-stats.js';

const good = (at: number): LinkSample => ({ at, connected: true, lossPct: 0, rttMs: 40, availableKbps: 2000 });
const lossy = (at: number, lossPct: number): LinkSample => ({ at, connected: true, lossPct, rttMs: 300, availableKbps: null });
const run = (state: LadderState, samples: LinkSample[], top: 'video' | 'high' = 'video') => samples.reduce((s, x) => stepLadder(s, x, top), state);

test('a good link stays on video; the ladder starts at the top asked for', () => {
  assert.equal(run(startLadder(0), [good(2000), good(4000), good(6000)]).rung, 'video');
  assert.equal(startLadder(0, 'high').rung, 'high');
});

test('loss steps down one rung after two bad samples, not after one', () => {
  let s = stepLadder(startLadder(0), lossy(2000, 20));
  assert.equal(s.rung, 'video', 'one bad sample is noise');
  s = stepLadder(s, lossy(4000, 20));
  assert.equal(s.rung, 'thumbnail');
  s = run(s, [lossy(4000 + SETTLE_MS, 60), lossy(6000 + SETTLE_MS, 60)]);
  assert.equal(s.rung, 'events');
  assert.equal(DOWN_AFTER, 2);
});

test('after a step down the new rung settles: what the rung above queued drains before its samples count (a lost connection still does)', () => {
  const bad = (at: number) => lossy(at, 60);
  let s = run(startLadder(0), [bad(2000), bad(4000)]);
  assert.deepEqual([s.rung, s.downAt], ['thumbnail', 4000]);
  // The first thumbnails wait behind the video sent before the step: late, not lost.
  s = run(s, [bad(6000), bad(8000), bad(4000 + SETTLE_MS - 1)]);
  assert.deepEqual([s.rung, s.bad], ['thumbnail', 0], 'samples while settling do not count');
  s = run(s, [bad(4000 + SETTLE_MS), bad(6000 + SETTLE_MS)]);
  assert.equal(s.rung, 'events', 'after it they do');
  // A link that is gone is gone: no settling for a lost connection.
  const lost = (at: number): LinkSample => ({ at, connected: false, lossPct: null, rttMs: null, availableKbps: null });
  assert.equal(run(startLadder(0), [bad(2000), bad(4000), lost(6000), lost(8000)]).rung, 'events');
  // A lowered wish is a step down too (high's queue drains on video).
  const lowered = withTop(startLadder(0, 'high'), 'video', 1000);
  assert.equal(run(lowered, [bad(3000), bad(5000)]).rung, 'video');
  // A climb comes after the hold (HOLD_MS, no shorter than the settle), so it is never settling: a failing one falls at once.
  assert.ok(HOLD_MS >= SETTLE_MS, 'a climb waits out at least the settle');
  let c = run(startLadder(0), [bad(2000), bad(4000), good(6000), good(8000), good(10_000), good(12_000)]);
  assert.deepEqual([c.rung, c.climbedAt], ['video', 12_000]);
  c = run(c, [bad(14_000), bad(16_000)]);
  assert.equal(c.rung, 'thumbnail');
});

test('a lost connection goes to events only; it climbs back one rung at a time, after three good samples and a hold', () => {
  const down = run(startLadder(0), [0, 1, 2, 3].map((i) => ({ at: 2000 * (i + 1), connected: false, lossPct: null, rttMs: null, availableKbps: null })));
  assert.equal(down.rung, 'events');
  let s = down;
  const t0 = 20_000;
  s = run(s, [good(t0), good(t0 + 2000)]);
  assert.equal(s.rung, 'events', 'two good samples are not enough');
  s = stepLadder(s, good(t0 + 4000));
  assert.equal(s.rung, 'thumbnail');
  s = run(s, [good(t0 + 6000), good(t0 + 8000), good(t0 + 10_000)]);
  assert.equal(s.rung, 'thumbnail', `held at least ${HOLD_MS} ms after the last step`);
  s = stepLadder(s, good(t0 + 12_000));
  assert.equal(s.rung, 'video');
  assert.equal(UP_AFTER, 3);
});

test('high only when asked; a lowered wish follows at once; high steps down to video on a weaker link', () => {
  assert.equal(run(startLadder(0), [good(2000), good(4000), good(6000), good(8000), good(10_000)]).rung, 'video');
  let s = run(startLadder(0, 'high'), [good(2000)], 'high');
  assert.equal(s.rung, 'high');
  s = stepLadder(s, good(4000), 'video');
  assert.equal(s.rung, 'video');
  const weak = (at: number): LinkSample => ({ at, connected: true, lossPct: 0, rttMs: 60, availableKbps: 300 });
  assert.equal(run(startLadder(0, 'high'), [weak(2000), weak(4000)], 'high').rung, 'video');
});

test('a changed wish invents no sample: a failing link\'s bad samples still count, and a raised wish climbs only on real ones', () => {
  // One bad sample on video, then the proctor opens this candidate (wish high): the next bad one steps down.
  let s = stepLadder(startLadder(0), lossy(2000, 20));
  s = withTop(s, 'high', 2500);
  assert.equal(s.rung, 'video', 'a raised wish waits for the link');
  assert.equal(s.bad, 1, 'the bad sample before the wish still counts');
  s = stepLadder(s, lossy(4000, 20), 'high');
  assert.equal(s.rung, 'thumbnail');
  // On video long enough to climb: the wish alone counts for nothing; three good samples do.
  let v = withTop(run(startLadder(0), [good(2000), good(4000)]), 'high', 20_000);
  assert.equal(v.good, 0, 'no good sample added by the wish');
  v = run(v, [good(22_000), good(24_000)], 'high');
  assert.equal(v.rung, 'video', 'two real good samples are not enough');
  v = run(v, [good(26_000)], 'high');
  assert.equal(v.rung, 'high', 'the third real good sample climbs');
  // A lowered wish is followed at once, without a sample.
  const lowered = withTop(startLadder(0, 'high'), 'video', 1000);
  assert.deepEqual([lowered.rung, lowered.since, lowered.bad, lowered.good], ['video', 1000, 0, 0]);
});

const tile = (over: Partial<CandidateTile>): CandidateTile => ({
  id: 'c', name: 'n', room: 'A', number: 1, loggedIn: true, step: 'exam', online: true, lastHeardAt: 0, offlineSince: null,
  outages: { count: 0, totalMs: 0 }, progress: { enteredAt: 1, endedAt: null, extraMs: 0, endedBy: null }, recording: true,
  flags: { standing: [], raised: 0, visiblePct: null }, integrity: 0,
  identity: { gate: 'passed', match: null, needsLiveCheck: false, confirmedAt: null, confirmedBy: null },
  unreadChat: 0, uploads: [], deviceProblems: 0, phone: null, ...over,
});

test('tiles that need a person come first: unread help, then flags, identity, outages', () => {
  const quiet = tile({ id: 'quiet', number: 1 });
  const help = tile({ id: 'help', number: 9, unreadChat: 1 });
  const flag = tile({ id: 'flag', number: 8, flags: { standing: [{ flag: 'no-face', kind: 'suspicious', since: 0 }], raised: 1, visiblePct: 50 } });
  const offline = tile({ id: 'offline', number: 7, offlineSince: 5 });
  const id = tile({ id: 'id', number: 6, identity: { gate: 'manual', match: null, needsLiveCheck: true, confirmedAt: null, confirmedBy: null } });
  assert.deepEqual(byAttention([quiet, id, offline, flag, help]).map((t) => t.id), ['help', 'flag', 'offline', 'id', 'quiet']);
  assert.equal(attention(quiet), 0);
});

test('a held order keeps every tile in its place, whatever changed; a new tile follows by attention', () => {
  const a = tile({ id: 'a', number: 1 });
  const b = tile({ id: 'b', number: 2 });
  const c = tile({ id: 'c', number: 3 });
  // b now asks for help: sorted it would jump ahead of a — held, it stays where the proctor aimed.
  const bHelp = { ...b, unreadChat: 1 };
  assert.deepEqual(byAttention([a, bHelp, c]).map((t) => t.id), ['b', 'a', 'c']);
  assert.deepEqual(inHeldOrder([a, bHelp, c], ['a', 'b', 'c']).map((t) => t.id), ['a', 'b', 'c']);
  const newHelp = tile({ id: 'n', number: 9, unreadChat: 1 });
  const quietNew = tile({ id: 'q', number: 8 });
  assert.deepEqual(inHeldOrder([quietNew, c, newHelp, a, bHelp], ['c', 'a', 'b']).map((t) => t.id), ['c', 'a', 'b', 'n', 'q']);
  // A held id no longer in the room is skipped.
  assert.deepEqual(inHeldOrder([a], ['x', 'a']).map((t) => t.id), ['a']);
});

test('grid size by the screen; completeness by recording', () => {
  assert.equal(gridSize(1280, 800), 9);
  assert.equal(gridSize(1920, 1080), 16);
  assert.equal(gridSize(700, 500), 4);
  // Columns that give each 16:9 video the most room: 16 on a wide screen as 6 × 3, 9 at 1280 × 800
  // as 5 × 2, 4 in a small window as 2 × 2, 16 on a tall one as 3 columns.
  assert.equal(gridColumns(16, 1888, 880), 6);
  assert.equal(gridColumns(9, 1248, 600), 5);
  assert.equal(gridColumns(4, 700, 400), 2);
  assert.equal(gridColumns(16, 1000, 2000), 3);
  assert.equal(completeness({ id: 'r', kind: 'camera', heldBytes: 50, recordedBytes: 100, verified: false, problem: null }), 0.5);
  assert.equal(completeness({ id: 'r', kind: 'camera', heldBytes: 50, recordedBytes: null, verified: false, problem: null }), null);
  assert.equal(completeness({ id: 'r', kind: 'camera', heldBytes: 100, recordedBytes: 100, verified: true, problem: null }), 1);
});

const stats = (entries: Record<string, unknown>[]) => new Map(entries.map((e, i) => [String(i), e])) as unknown as RTCStatsReport;
const pair = (over: Record<string, unknown> = {}) => ({ type: 'candidate-pair', nominated: true, state: 'succeeded', bytesSent: 1000, currentRoundTripTime: 0.05, availableOutgoingBitrate: 300_000, requestsSent: 10, responsesReceived: 10, ...over });
const report = (measurements: number, fractionLost = 0) => ({ type: 'remote-inbound-rtp', kind: 'video', fractionLost, roundTripTime: 0.06, roundTripTimeMeasurements: measurements });

test('a link sample reads round trip, estimate and the receiver’s loss from the statistics', () => {
  const { sample, mark } = linkSample(stats([pair(), report(4, 0.1)]), null, 1000, true, true);
  assert.deepEqual(sample, { at: 1000, connected: true, lossPct: 10, rttMs: 60, availableKbps: 300 }, "the worse of the two round trips");
  assert.deepEqual(mark, { requestsSent: 10, responsesReceived: 10, reports: 4 });
});

test('media flowing while the receiver’s reports stop is a stalled link: counted as all lost', () => {
  const first = linkSample(stats([pair(), report(4)]), null, 1000, true, true);
  const stalled = linkSample(stats([pair(), report(4)]), first.mark, 3000, true, true);
  assert.equal(stalled.sample.lossPct, 100);
  const flowing = linkSample(stats([pair(), report(6)]), first.mark, 3000, true, true);
  assert.equal(flowing.sample.lossPct, 0);
  // With no media (thumbnail rung) reports stop by design: unanswered checks tell the loss.
  const quiet = linkSample(stats([pair({ requestsSent: 14, responsesReceived: 11 }), report(4)]), first.mark, 3000, true, false);
  assert.equal(quiet.sample.lossPct, 75);
});

test('a climb that fails soon doubles the wait before the next one (no flapping on a link that carries thumbnails only); one that holds resets it', () => {
  const bad = (at: number) => lossy(at, 20);
  // Down to thumbnails, then up after the first hold.
  let s = run(startLadder(0), [bad(2000), bad(4000)]);
  assert.equal(s.rung, 'thumbnail');
  s = run(s, [good(6000), good(8000), good(10_000), good(12_000)]);
  assert.equal(s.rung, 'video');
  // Video fails again at once: down, and the next climb waits twice as long.
  s = run(s, [bad(14_000), bad(16_000)]);
  assert.equal(s.rung, 'thumbnail');
  assert.equal(s.holdMs, 2 * HOLD_MS);
  s = run(s, [good(18_000), good(20_000), good(22_000), good(24_000), good(30_000)]);
  assert.equal(s.rung, 'thumbnail', 'still waiting');
  s = stepLadder(s, good(16_000 + 2 * HOLD_MS));
  assert.equal(s.rung, 'video');
  // This time it holds through the trial: the wait is back to normal.
  const at = 16_000 + 2 * HOLD_MS;
  s = run(s, [good(at + 10_000), good(at + TRIAL_MS)]);
  assert.equal(s.holdMs, HOLD_MS);
  // Repeated failures cap the wait.
  let t = at + TRIAL_MS;
  for (let i = 0; i < 10; i++) {
    s = run(s, [bad((t += 2000)), bad((t += 2000))]);
    s = run(s, [good((t += s.holdMs)), good((t += 2000)), good((t += 2000))]);
  }
  assert.ok(s.holdMs <= MAX_HOLD_MS);
  assert.equal(s.holdMs, MAX_HOLD_MS);
});
