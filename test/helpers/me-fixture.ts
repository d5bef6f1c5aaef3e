import type { CandidateMe } from '../../src/core/api-schema.js';

export const MIN = 60_000;
/** A start time far from the real clock: tests pass their own `now`. */
export const START = 10_000_000_000;

/** A /me reply as the server gives it, for element tests. */
export function meFixture(over: Partial<CandidateMe> = {}): CandidateMe {
  const text = (zh: string, en: string) => ({ 'zh-CN': zh, en });
  return {
    candidate: { id: '2026000001', name: '张三', room: 'r1', roomName: '第一考场' },
    exam: {
      id: 'e', title: text('测试考试', 'Test exam'), helpLine: { 'zh-CN': '400' }, faceMatch: false,
      times: {
        loginOpensAt: START - 30 * MIN, entryOpensAt: START - 15 * MIN, lotteryClosesAt: START - 5 * MIN, startAt: START,
        entryClosesAt: START, answeringAt: START + 10 * MIN, endAt: START + 15 * MIN, retentionEndsAt: START + 90 * 24 * 60 * MIN,
      },
    },
    lottery: null,
    progress: { enteredAt: null, endedAt: null, extraMs: 0, endedBy: null },
    accepted: { procedure: null, pledge: null, notice: null },
    documents: { procedure: text('考试流程', 'Procedure'), pledge: text('诚信承诺书', 'Pledge'), notice: text('考试须知', 'Notice') },
    questionRelease: 'at-start',
    face: { monitorFps: 2, match: { enabled: false, threshold: 0.6, storesDescriptors: false, hasReference: false, consent: null, path: null } },
    recording: { width: 640, height: 360, frameRate: 15, videoBitsPerSecond: 300_000, audioBitsPerSecond: 32_000, screenBitsPerSecond: 300_000 },
    iceServers: [],
    iceTransportPolicy: 'all',
    serverNow: START - 20 * MIN,
    ...over,
  };
}
