import { ExamConfig, StoredExamConfig } from '../../src/core/exam-schema.js';
import { timelineTimes, type TimelineTimes } from '../../src/core/timeline.js';
import type { TicketCodes } from '../auth/ticket-codes.js';
import type { Db } from '../db/open.js';

export interface StoredExam {
  config: StoredExamConfig;
  times: TimelineTimes;
}

/**
 * Exams as imported, ticket codes replaced by their keyed hashes (nothing in clear is stored).
 * Parsed configs are cached by import time, so a re-import is seen at once.
 */
export class ExamStore {
  private readonly cache = new Map<string, { importedAt: number; exam: StoredExam }>();

  constructor(private readonly db: Db, private readonly codes: TicketCodes, private readonly now: () => number) {}

  /** Inserts or replaces an exam (already validated). */
  async put(config: ExamConfig): Promise<void> {
    await this.write(this.sealed(config));
  }

  async get(id: string): Promise<StoredExam | null> {
    // Only the import time is read on a cache hit; the config text only when it changed.
    const stamp = await this.db.selectFrom('exams').select('imported_at').where('id', '=', id).executeTakeFirst();
    if (!stamp) return null;
    const cached = this.cache.get(id);
    if (cached && cached.importedAt === stamp.imported_at) return cached.exam;
    const row = await this.db.selectFrom('exams').select(['config', 'imported_at']).where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const config = StoredExamConfig.parse(JSON.parse(row.config));
    const exam = { config, times: timelineTimes(config.timeline, config.retentionDays) };
    this.cache.set(id, { importedAt: row.imported_at, exam });
    return exam;
  }

  async ids(): Promise<string[]> {
    const rows = await this.db.selectFrom('exams').select('id').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  /** Exams imported before ticket codes were hashed: hash them in place, once, at start. */
  async sealLegacyTicketCodes(): Promise<number> {
    const rows = await this.db.selectFrom('exams').select(['id', 'config']).execute();
    let sealed = 0;
    for (const row of rows) {
      const raw: unknown = JSON.parse(row.config);
      if (StoredExamConfig.safeParse(raw).success) continue;
      const legacy = ExamConfig.safeParse(raw);
      if (!legacy.success) continue;
      await this.write(this.sealed(legacy.data));
      sealed++;
    }
    return sealed;
  }

  private sealed(config: ExamConfig): StoredExamConfig {
    return {
      ...config,
      roster: config.roster.map(({ ticketCode, ...c }) => ({ ...c, ticketCodeHash: this.codes.hash(ticketCode) })),
    };
  }

  private async write(config: StoredExamConfig): Promise<void> {
    // The import time versions the cache: strictly increasing, even for two imports in one ms.
    const prev = await this.db.selectFrom('exams').select('imported_at').where('id', '=', config.id).executeTakeFirst();
    const importedAt = Math.max(this.now(), (prev?.imported_at ?? 0) + 1);
    const row = { id: config.id, config: JSON.stringify(config), imported_at: importedAt };
    await this.db.insertInto('exams').values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ config: row.config, imported_at: row.imported_at }))
      .execute();
  }
}
