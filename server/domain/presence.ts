import { OFFLINE_AFTER_MS, type DeviceState } from '../../src/core/ws-schema.js';
import type { Db } from '../db/open.js';
import { localBus, type Bus } from '../shared/bus.js';
import type { ReportedBytes } from './reported-bytes.js';

export interface Live {
  lastHeardAt: number;
  state: DeviceState;
  offlineSince: number | null;
  /** Recorded bytes when the tile was last pushed for this device. */
  pushedBytes: number;
}

/**
 * Each candidate device's presence, from the heartbeats on its socket: online while heard within
 * a few seconds; an outage while in the exam and silent, kept with its length (the device goes on
 * recording meanwhile — the proctor sees "offline — still recording" and can grant extra time).
 * Every heartbeat is also told to the other server processes (the bus), so a proctor connected to
 * any of them sees the candidate whichever one their device reached; each process sweeps for
 * silence itself (an outage is one row whoever records it: it starts at the last beat heard).
 */
export class Presence {
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** Whether the candidate is in the exam now (entered, not ended): only then is silence an outage. */
    private readonly inExam: (exam: string, candidate: string) => Promise<boolean>,
    /** `everywhere`: a change the other processes do not find by themselves (a heartbeat here). */
    private readonly changed: (exam: string, candidate: string, everywhere: boolean) => void,
    private readonly bus: Bus = localBus(),
    /** Where the recorded bytes each state names are kept (written every 30 s). */
    private readonly reported?: ReportedBytes,
  ) {
    bus.on((m) => {
      if (m.t === 'beat') this.heardElsewhere(m.exam, m.candidate, m.at, m.state);
    });
  }

  /**
   * A heartbeat: heard now, with the device's state (or, without one, with the state it last
   * sent on this server — a beat before any state is not yet presence). Ends an open outage.
   */
  async heard(exam: string, candidate: string, sent?: DeviceState): Promise<void> {
    const key = `${exam}/${candidate}`;
    const before = this.live.get(key);
    const state = sent ?? before?.state;
    if (!state) return;
    const now = this.now();
    if (sent) this.reported?.note(exam, candidate, sent.recordings);
    const bytes = totalBytes(state);
    const same = before && before.offlineSince === null && before.state.step === state.step && before.state.recording === state.recording
      && before.state.watchedBy === state.watchedBy && ids(before.state) === ids(state) && bytes - before.pushedBytes < PUSH_EVERY_BYTES;
    this.live.set(key, { lastHeardAt: now, state, offlineSince: null, pushedBytes: same ? before.pushedBytes : bytes });
    this.bus.publish({ t: 'beat', exam, candidate, at: now, ...(sent ? { state: sent } : {}) });
    if (before?.offlineSince != null) {
      await this.db.updateTable('outages').set({ ended_at: now })
        .where('exam_id', '=', exam).where('candidate_id', '=', candidate).where('ended_at', 'is', null).execute();
    }
    if (!same) this.changed(exam, candidate, true);
  }

  /** A heartbeat another process heard (its own notice for the tile comes over the bus too). */
  private heardElsewhere(exam: string, candidate: string, at: number, sent?: DeviceState): void {
    const key = `${exam}/${candidate}`;
    const state = sent ?? this.live.get(key)?.state;
    if (state) this.live.set(key, { lastHeardAt: at, state, offlineSince: null, pushedBytes: totalBytes(state) });
  }

  /** Marks as offline whoever fell silent in the exam (run every second). */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const [key, l] of this.live) {
      if (l.offlineSince !== null || now - l.lastHeardAt < OFFLINE_AFTER_MS) continue;
      const [exam = '', candidate = ''] = key.split('/');
      l.offlineSince = l.lastHeardAt;
      if (await this.inExam(exam, candidate)) {
        await this.db.insertInto('outages').values({ exam_id: exam, candidate_id: candidate, started_at: l.lastHeardAt, ended_at: null })
          .onConflict((oc) => oc.columns(['exam_id', 'candidate_id', 'started_at']).doNothing()).execute();
      }
      this.changed(exam, candidate, false);
    }
  }

  of(exam: string, candidate: string): Live | null {
    return this.live.get(`${exam}/${candidate}`) ?? null;
  }

  async outages(exam: string, candidate: string): Promise<{ from: number; to: number | null }[]> {
    const rows = await this.db.selectFrom('outages').select(['started_at', 'ended_at'])
      .where('exam_id', '=', exam).where('candidate_id', '=', candidate).orderBy('started_at').execute();
    return rows.map((r) => ({ from: r.started_at, to: r.ended_at }));
  }
}

/** Recorded bytes grow all the time: the tile is pushed for that only every half megabyte. */
const PUSH_EVERY_BYTES = 512 * 1024;
const totalBytes = (s: DeviceState) => s.recordings.reduce((n, r) => n + r.bytes, 0);
const ids = (s: DeviceState) => s.recordings.map((r) => r.id).join(' ');
