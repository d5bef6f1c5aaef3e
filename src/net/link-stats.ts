import type { LinkSample } from '../core/ladder.js';

/** Counters from the previous sample, to turn running totals into this interval's loss. */
export interface StatsMark { requestsSent: number; responsesReceived: number; reports: number }

/**
 * One ladder sample from a sending peer connection's statistics: the selected candidate pair's
 * round trip and available outgoing bitrate, loss from the receiver's reports (RTCP) or, when no
 * media flows, from unanswered connectivity checks. Media flowing while the receiver's reports
 * stop coming is a stalled link (a queue that grows, not a loss the reports could tell): that
 * interval counts as all lost.
 */
export function linkSample(report: RTCStatsReport, prev: StatsMark | null, at: number, connected: boolean, mediaFlowing: boolean): { sample: LinkSample; mark: StatsMark } {
  let pair: RTCIceCandidatePairStats | undefined;
  let fractionLost: number | null = null;
  let remoteRtt: number | null = null;
  let reports = 0;
  let selected: string | undefined;
  const all: RTCStats[] = [];
  report.forEach((s: RTCStats) => all.push(s));
  for (const s of all) {
    if (s.type === 'transport') selected = (s as RTCStats & { selectedCandidatePairId?: string }).selectedCandidatePairId ?? selected;
  }
  for (const s of all) {
    if (s.type === 'candidate-pair') {
      const c = s as RTCIceCandidatePairStats;
      // The transport's selected pair; without one, the busiest nominated pair.
      if (selected ? c.id === selected : c.nominated && c.state === 'succeeded' && (!pair || (c.bytesSent ?? 0) > (pair.bytesSent ?? 0))) pair = c;
    }
    if (s.type === 'remote-inbound-rtp') {
      const r = s as RTCStats & { kind?: string; fractionLost?: number; roundTripTime?: number; roundTripTimeMeasurements?: number };
      reports += r.roundTripTimeMeasurements ?? 0;
      if (r.kind === 'video' && typeof r.fractionLost === 'number') {
        fractionLost = Math.max(fractionLost ?? 0, r.fractionLost);
        remoteRtt = r.roundTripTime ?? remoteRtt;
      }
    }
  }
  const p = pair;
  const mark = { requestsSent: p?.requestsSent ?? 0, responsesReceived: p?.responsesReceived ?? 0, reports };
  const stalled = mediaFlowing && prev !== null && prev.reports > 0 && reports === prev.reports;
  const asked = prev ? mark.requestsSent - prev.requestsSent : 0;
  const answered = prev ? mark.responsesReceived - prev.responsesReceived : 0;
  const checkLoss = asked > 0 ? Math.max(0, 100 * (1 - answered / asked)) : null;
  // Receiver reports stop (and keep their last value) when no media flows.
  const rtpLoss = fractionLost === null || !mediaFlowing ? null : 100 * fractionLost;
  // The pair's round trip comes from connectivity checks, which stall in a queue and keep their
  // last value; the receiver's reports keep arriving and show the queue growing. The worse counts.
  const rtt = mediaFlowing && remoteRtt !== null ? Math.max(remoteRtt, p?.currentRoundTripTime ?? 0) : p?.currentRoundTripTime ?? null;
  return {
    sample: {
      at, connected,
      lossPct: stalled ? 100 : rtpLoss ?? checkLoss,
      rttMs: rtt == null ? null : rtt * 1000,
      availableKbps: typeof p?.availableOutgoingBitrate === 'number' ? p.availableOutgoingBitrate / 1000 : null,
    },
    mark,
  };
}
