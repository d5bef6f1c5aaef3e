import type { Db } from '../db/open.js';

export interface AccessEntry { viewerRole: string; viewerId: string; what: string; at: number }

/** One view counts once per viewer and thing within this time (a player asks for many ranges of one file). */
const SAME_VIEW_MS = 10 * 60_000;

/**
 * Every view of a candidate's evidence (recordings, photos, report): who, what, when — listed on
 * the candidate's review page.
 */
export class AccessLog {
  private readonly recent = new Map<string, number>();

  constructor(private readonly db: Db, private readonly now: () => number) {}

  async viewed(exam: string, candidate: string, viewer: { role: string; id: string }, what: string): Promise<void> {
    const at = this.now();
    const key = JSON.stringify([exam, candidate, viewer.role, viewer.id, what]);
    const last = this.recent.get(key);
    if (last !== undefined && at - last < SAME_VIEW_MS) return;
    this.recent.set(key, at);
    if (this.recent.size > 10_000) this.forgetOld(at);
    await this.db.insertInto('access_log').values({ exam_id: exam, candidate_id: candidate, viewer_role: viewer.role, viewer_id: viewer.id, what, at }).execute();
  }

  async list(exam: string, candidate: string): Promise<AccessEntry[]> {
    const rows = await this.db.selectFrom('access_log').select(['viewer_role', 'viewer_id', 'what', 'at'])
      .where('exam_id', '=', exam).where('candidate_id', '=', candidate).orderBy('at').orderBy('id').execute();
    return rows.map((r) => ({ viewerRole: r.viewer_role, viewerId: r.viewer_id, what: r.what, at: r.at }));
  }

  private forgetOld(now: number): void {
    for (const [key, at] of this.recent) if (now - at >= SAME_VIEW_MS) this.recent.delete(key);
  }
}
