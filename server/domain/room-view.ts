import type { CandidateDetail, CandidateTile, Outage, ProctorAction } from '../../src/core/room-schema.js';
import { DEVICE_PROBLEM_EVENTS, INTEGRITY_EVENTS, type ExamEvent } from '../../src/core/event-schema.js';
import type { Db } from '../db/open.js';
import type { Services } from '../services.js';
import type { StoredExam } from './exam-store.js';

type Logged = ExamEvent & { receivedAt: number };
type Deps = Pick<Services, 'db' | 'lottery' | 'sessions' | 'progress' | 'events' | 'identity' | 'presence' | 'reported' | 'phones' | 'now'>;

/**
 * What a proctor sees of a candidate, from everything the server holds: presence from the
 * device's heartbeats, progress, the event log (flags, integrity signals, device problems),
 * identity, unread chat and uploads. Computed on demand; pushed on every change.
 */
export class RoomView {
  constructor(private readonly d: Deps) {}

  async tile(exam: StoredExam, candidateId: string, proctorId: string): Promise<CandidateTile> {
    const events = await this.d.events.list(exam.config.id, candidateId);
    return this.tileWith(exam, candidateId, proctorId, events, await this.outages(exam.config.id, candidateId, events));
  }

  async detail(exam: StoredExam, candidateId: string, proctorId: string): Promise<CandidateDetail> {
    const examId = exam.config.id;
    const events = await this.d.events.list(examId, candidateId);
    const outages = await this.outages(examId, candidateId, events);
    return {
      tile: await this.tileWith(exam, candidateId, proctorId, events, outages),
      lottery: await this.d.lottery.get(examId, candidateId),
      events: events.map((e) => ({ id: e.id, type: e.type, at: e.at, receivedAt: e.receivedAt, ...(e.detail ? { detail: e.detail } : {}) })),
      chat: await this.d.events.chat(examId, candidateId),
      outages,
      actions: await this.actions(examId, candidateId),
    };
  }

  private async tileWith(exam: StoredExam, candidateId: string, proctorId: string, events: Logged[], outages: Outage[]): Promise<CandidateTile> {
    const examId = exam.config.id;
    const candidate = exam.config.roster.find((c) => c.id === candidateId);
    const live = this.d.presence.of(examId, candidateId);
    const now = this.d.now();
    const match = exam.config.face.match.enabled ? (await this.d.identity.state(exam, candidateId)).path : null;
    const confirmed = await this.d.db.selectFrom('identity_checks').select(['confirmed_at', 'confirmed_by'])
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).executeTakeFirst();
    const capture = [...events].reverse().find((e) => e.type === 'login-capture')?.detail?.faceCheck;
    const gate = capture === 'passed' || capture === 'manual' ? capture : null;
    const closed = outages.filter((o) => o.to !== null);
    const progress = await this.d.progress.get(examId, candidateId);
    return {
      id: candidateId,
      name: candidate?.name ?? candidateId,
      room: candidate?.room ?? '',
      number: (await this.d.lottery.get(examId, candidateId))?.number ?? null,
      loggedIn: await this.d.sessions.isLoggedIn(examId, candidateId),
      step: live?.state.step ?? null,
      online: live !== null && live.offlineSince === null,
      lastHeardAt: live?.lastHeardAt ?? null,
      offlineSince: outages.find((o) => o.to === null)?.from ?? null,
      outages: { count: outages.length, totalMs: closed.reduce((n, o) => n + ((o.to ?? now) - o.from), 0) },
      progress,
      recording: live?.offlineSince === null ? live.state.recording : false,
      flags: flagsOf(events),
      integrity: events.filter((e) => INTEGRITY_EVENTS.has(e.type)).length,
      identity: {
        gate, match,
        needsLiveCheck: gate === 'manual' || (match !== null && match !== 'matched'),
        confirmedAt: confirmed?.confirmed_at ?? null,
        confirmedBy: confirmed?.confirmed_by ?? null,
      },
      unreadChat: await this.unread(examId, candidateId, proctorId),
      uploads: await this.uploads(examId, candidateId, live?.state.recordings ?? []),
      deviceProblems: events.filter((e) => DEVICE_PROBLEM_EVENTS.has(e.type)).length,
      phone: await this.d.phones.status(examId, candidateId, { exam, progress }),
    };
  }

  /**
   * Outages from the heartbeats, each refined by the device's own `offline` / `online` events
   * when they arrive (the device knows to the second when its link dropped and came back).
   */
  private async outages(examId: string, candidateId: string, events: Logged[]): Promise<Outage[]> {
    const beats = await this.d.presence.outages(examId, candidateId);
    const link = events.filter((e) => e.type === 'offline' || e.type === 'online').sort((a, b) => a.at - b.at);
    return beats.map((o) => {
      const off = link.filter((e) => e.type === 'offline' && e.at <= o.from + 5_000 && e.at >= o.from - 60_000).pop();
      const on = off ? link.find((e) => e.type === 'online' && e.at > off.at) : undefined;
      if (!off) return { ...o, source: 'heartbeat' as const };
      return { from: off.at, to: on ? on.at : o.to, source: 'device' as const };
    });
  }

  private async unread(examId: string, candidateId: string, proctorId: string): Promise<number> {
    const read = await this.d.db.selectFrom('chat_reads').select('read_at')
      .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).where('proctor_id', '=', proctorId).executeTakeFirst();
    const chat = await this.d.events.chat(examId, candidateId);
    return chat.filter((m) => m.from === 'candidate' && m.receivedAt > (read?.read_at ?? -1)).length;
  }

  /**
   * Each recording's bytes held and recorded: the device's live report, else the last one written
   * down (after a restart, or once the device fell silent); a verified recording is all there is.
   */
  private async uploads(examId: string, candidateId: string, recorded: { id: string; kind: CandidateTile['uploads'][number]['kind']; bytes: number }[]): Promise<CandidateTile['uploads']> {
    const rows = await recordingsOf(this.d.db, examId, candidateId);
    const held = rows.map((r) => ({
      id: r.id, kind: r.kind, heldBytes: r.bytes, verified: r.verified_at !== null, problem: r.problem,
      recordedBytes: r.verified_at !== null ? r.bytes
        : recorded.find((x) => x.id === r.id)?.bytes ?? this.d.reported.unwritten(r.id) ?? r.reported_bytes,
    }));
    // What the device says it recorded and nothing of which arrived yet: 0 %, not invisible.
    const known = new Set(rows.map((r) => r.id));
    const unseen = recorded.filter((x) => !known.has(x.id)).map((x) => ({ id: x.id, kind: x.kind, heldBytes: 0, verified: false, problem: null, recordedBytes: x.bytes }));
    return [...held, ...unseen];
  }

  async actions(examId: string, candidateId: string): Promise<ProctorAction[]> {
    const rows = await this.d.db.selectFrom('proctor_actions').selectAll().where('exam_id', '=', examId).where('candidate_id', '=', candidateId)
      .orderBy('at').execute();
    return rows.map((r) => ({ id: r.id, type: r.type as ProctorAction['type'], proctor: r.proctor_id, at: r.at, detail: JSON.parse(r.detail) as ProctorAction['detail'] }));
  }
}

function recordingsOf(db: Db, examId: string, candidateId: string) {
  return db.selectFrom('recordings').select(['id', 'kind', 'bytes', 'verified_at', 'problem', 'reported_bytes'])
    .where('exam_id', '=', examId).where('candidate_id', '=', candidateId).orderBy('kind').orderBy('created_at').execute();
}

/** Flags standing now (raised and not cleared), how many were raised, and the latest face-visible share. */
function flagsOf(events: Logged[]): CandidateTile['flags'] {
  const standing = new Map<string, { flag: string; kind: 'cant-see' | 'suspicious'; since: number }>();
  let raised = 0;
  let visiblePct: number | null = null;
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    if (e.type === 'face-summary' && typeof e.detail?.visiblePct === 'number') visiblePct = e.detail.visiblePct;
    if (e.type !== 'face-flag') continue;
    const flag = String(e.detail?.flag ?? '');
    if (e.detail?.state === 'raised') {
      raised++;
      standing.set(flag, { flag, kind: e.detail.kind === 'cant-see' ? 'cant-see' : 'suspicious', since: e.at });
    } else {
      standing.delete(flag);
    }
  }
  return { standing: [...standing.values()], raised, visiblePct };
}
