import type { ReviewRow } from '../core/review-schema.js';
import { formatDuration } from '../core/format-duration.js';
import { t } from '../i18n/i18n.js';

/** A candidate's review row as short facts, those needing a person marked. */
export function rowFacts(r: ReviewRow): { text: string; bad: boolean }[] {
  const facts: { text: string; bad: boolean }[] = [];
  const open = r.unreviewed.suspicious + r.unreviewed['cant-see'];
  facts.push({ text: t('review.unreviewed', { suspicious: r.unreviewed.suspicious, cantSee: r.unreviewed['cant-see'] }), bad: open > 0 });
  if (r.integrity > 0) facts.push({ text: t('proctor.integrity', { n: r.integrity }), bad: false });
  if (r.outages.count > 0) facts.push({ text: t('review.outages', { n: r.outages.count, total: formatDuration(r.outages.totalMs) }), bad: false });
  const id = r.identity;
  if (id.needsLiveCheck) facts.push(id.confirmedAt !== null ? { text: t('proctor.identity.confirmed'), bad: false } : { text: t('proctor.identity.pending'), bad: true });
  else if (id.match) facts.push({ text: t(`identity.short.${id.match}`), bad: false });
  for (const c of r.completeness) {
    const pct = c.ratio === null ? '?' : String(Math.floor(c.ratio * 100));
    facts.push({ text: t('review.complete', { kind: t(`upload.kind.${c.kind}`), pct }), bad: c.ratio === null || c.ratio < 1 });
  }
  if (r.completeness.length === 0 && r.entered) facts.push({ text: t('review.noRecordings'), bad: true });
  return facts;
}
