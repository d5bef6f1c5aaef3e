import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeness, currentDecisions, flagSpans, nextMarker, placeSegments, reviewMarkers, reviewPriority, reviewState, segmentAt, segmentGaps } from '../../src/core/review.js';
import type { ReviewDecision } from '../../src/core/review-schema.js';

const flag = (id: string, at: number, state: 'raised' | 'cleared', name = 'no-face', kind = 'cant-see') =>
  ({ id, type: 'face-flag' as const, at, receivedAt: at, detail: { flag: name, state, kind } });

test('flags become spans from raise to clear; one never cleared stays open; a repeated raise is one span', () => {
  const spans = flagSpans([flag('c', 9_000, 'cleared'), flag('a', 1_000, 'raised'), flag('b', 2_000, 'raised', 'others', 'suspicious'),
    flag('a2', 3_000, 'raised'), flag('b2', 5_000, 'cleared', 'others', 'suspicious'), flag('d', 10_000, 'raised', 'others', 'suspicious')]);
  assert.deepEqual(spans.map((s) => [s.id, s.flag, s.kind, s.from, s.to]), [
    ['a', 'no-face', 'cant-see', 1_000, 9_000], ['b', 'others', 'suspicious', 2_000, 5_000], ['d', 'others', 'suspicious', 10_000, null],
  ]);
});

test('the newest decision per subject stands; the state follows the candidate decision, or "in review" once a flag is judged', () => {
  const d = (subject: string, decision: ReviewDecision['decision'], at: number): ReviewDecision => ({ subject, decision, note: '', by: 'r1', at });
  assert.equal(reviewState([]), 'not-started');
  assert.equal(reviewState([d('flag:a', 'dismissed', 1)]), 'in-review');
  const all = [d('candidate', 'incident', 5), d('flag:a', 'confirmed', 1), d('candidate', 'cleared', 9), d('flag:a', 'dismissed', 3)];
  assert.equal(reviewState(all), 'cleared');
  assert.equal(currentDecisions(all).get('flag:a')?.decision, 'dismissed');
});

test('completeness is verified ÷ recorded per kind, unknown when the device never reported, never above 1', () => {
  const u = (kind: 'camera' | 'screen' | 'evidence', held: number, recorded: number | null, verified: boolean) =>
    ({ id: `${kind}-${held}`, kind, heldBytes: held, recordedBytes: recorded, verified, problem: null });
  const c = completeness([u('screen', 500, 1_000, false), u('camera', 1_000, 1_000, true), u('camera', 300, 600, false), u('evidence', 10, null, false)]);
  assert.deepEqual(c.map((x) => [x.kind, x.verifiedBytes, x.recordedBytes, x.ratio]), [
    ['camera', 1_000, 1_600, 1_000 / 1_600], ['screen', 0, 1_000, 0], ['evidence', 0, null, null],
  ]);
  assert.equal(completeness([u('camera', 1_200, 1_000, true)])[0]?.ratio, 1);
});

test('priority: an undecided candidate with a suspicious flag before one with missing evidence before a clean one; decided ones last', () => {
  const base = { state: 'not-started' as const, unreviewed: { 'cant-see': 0, suspicious: 0 }, integrity: 0, outages: { count: 0 },
    identity: { needsLiveCheck: false, confirmedAt: null }, completeness: [{ kind: 'camera' as const, verifiedBytes: 1, recordedBytes: 1, ratio: 1 }] };
  const suspicious = reviewPriority({ ...base, unreviewed: { 'cant-see': 0, suspicious: 1 } });
  const missing = reviewPriority({ ...base, completeness: [{ kind: 'camera', verifiedBytes: 1, recordedBytes: 2, ratio: 0.5 }] });
  const clean = reviewPriority(base);
  const cleared = reviewPriority({ ...base, state: 'cleared', unreviewed: { 'cant-see': 3, suspicious: 3 } });
  assert.ok(suspicious > missing && missing > clean && clean > cleared, JSON.stringify({ suspicious, missing, clean, cleared }));
});

test('segments are placed at their server-time starts with gaps kept; a segment without a start follows the one before', () => {
  const placed = placeSegments([
    { id: 'cam', kind: 'camera', verifiedAt: 1, chainHead: null, bytes: 0, segments: [{ segment: 1, startedAt: 20_000, durationMs: 5_000 }, { segment: 0, startedAt: 10_000, durationMs: 4_000 }, { segment: 2, startedAt: null, durationMs: 1_000 }] },
    { id: 'scr', kind: 'screen', verifiedAt: null, chainHead: null, bytes: 0, segments: [{ segment: 0, startedAt: 10_500, durationMs: 30_000 }] },
  ]);
  const cam = placed.get('camera')!;
  assert.deepEqual(cam.map((s) => [s.segment, s.from, s.to]), [[0, 10_000, 14_000], [1, 20_000, 25_000], [2, 25_000, 26_000]]);
  assert.deepEqual(segmentGaps(cam), [{ from: 14_000, to: 20_000 }]);
  assert.deepEqual(segmentAt(cam, 21_500), { segment: cam[1], offsetMs: 1_500 });
  assert.equal(segmentAt(cam, 15_000), null, 'a gap plays nothing');
  assert.equal(segmentAt(cam, 26_000), null);
  assert.equal(segmentAt(placed.get('screen')!, 10_499), null);
});

test('markers: phases, flags with their end, integrity, outages, chat and actions on one sorted lane; J/K step over them', () => {
  const times = { loginOpensAt: 0, entryOpensAt: 0, lotteryClosesAt: 0, startAt: 100_000, entryClosesAt: 0, answeringAt: 700_000, endAt: 1_000_000, retentionEndsAt: 2e9 };
  const markers = reviewMarkers({
    exam: { id: 'e', title: { 'zh-CN': 'x' }, helpLine: { 'zh-CN': 'x' }, times, faceMatch: false },
    events: [flag('f1', 200_000, 'raised', 'others', 'suspicious'), flag('f2', 230_000, 'cleared', 'others', 'suspicious'),
      { id: 'e1', type: 'tab-hidden', at: 300_000, receivedAt: 0 }, { id: 'e2', type: 'face-summary', at: 310_000, receivedAt: 0 }],
    chat: [{ id: 'm1', text: 'help', at: 400_000, from: 'candidate', receivedAt: 0, kind: 'message' }],
    outages: [{ from: 500_000, to: 533_000, source: 'device' }],
    actions: [{ id: 'a1', type: 'extra-time', proctor: 'p1', at: 600_000, detail: { minutes: 1 } }],
  }, { enteredAt: 90_000, endedAt: null, extraMs: 60_000 });
  assert.deepEqual(markers.map((m) => [m.type, m.name, m.at]), [
    ['phase', 'entered', 90_000], ['phase', 'reading', 100_000], ['flag', 'others', 200_000], ['integrity', 'tab-hidden', 300_000],
    ['chat', 'candidate', 400_000], ['outage', 'device', 500_000], ['action', 'extra-time', 600_000], ['phase', 'answering', 700_000], ['phase', 'end', 1_060_000],
  ]);
  assert.equal(markers[2]?.until, 230_000);
  assert.equal(markers[2]?.id, 'flag:f1');
  assert.equal(nextMarker(markers, 200_000, 1)?.at, 300_000);
  assert.equal(nextMarker(markers, 200_100, -1)?.at, 100_000, 'a marker within 250 ms of the position is the one we are at');
  assert.equal(nextMarker(markers, 1_060_000, 1), null);
});
