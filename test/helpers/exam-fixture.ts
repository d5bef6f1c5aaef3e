import type { ExamConfigInput } from '../../src/core/exam-schema.js';

export const MIN = 60_000;
/** The password behind the proctor hash tests pass in. */
export const PROCTOR_PASSWORD = 'proctor-pass';

export interface FixtureOptions {
  id?: string;
  /** Exam start, epoch ms. */
  startAt: number;
  rooms?: Record<string, number>;
  proctorHash?: string;
  timeline?: Partial<ExamConfigInput['timeline']>;
  questionRelease?: 'at-start' | 'sealed-at-entry';
}

/** A valid exam whose rooms hold `rooms[id]` candidates each (ids c<room>-<n>, ticket T<room>-<n>). */
export function examFixture(opts: FixtureOptions): ExamConfigInput {
  const rooms = opts.rooms ?? { A: 3, B: 2 };
  const text = (s: string) => ({ 'zh-CN': s, en: s });
  return {
    id: opts.id ?? 'exam1',
    title: text('Test exam'),
    helpLine: text('400-000-0000'),
    timeline: { start: new Date(opts.startAt).toISOString(), ...opts.timeline },
    questions: [{ id: 'q1', text: text('Question one') }],
    attachments: { procedure: text('procedure'), pledge: text('pledge'), notice: text('notice') },
    rooms: Object.keys(rooms).map((id) => ({ id, name: `Room ${id}` })),
    roster: Object.entries(rooms).flatMap(([room, n]) =>
      Array.from({ length: n }, (_, i) => ({ id: `c${room}-${i + 1}`, name: `Cand ${room}${i + 1}`, ticketCode: `T${room}-${i + 1}`, room }))),
    ...(opts.questionRelease ? { questionRelease: opts.questionRelease } : {}),
    proctors: opts.proctorHash ? [{ id: 'p1', name: 'Proctor', passwordHash: opts.proctorHash, rooms: [Object.keys(rooms)[0]!] }] : [],
  };
}
