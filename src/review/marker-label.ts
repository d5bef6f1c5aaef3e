import type { ReviewMarker } from '../core/review.js';
import { hasMessage, locale, t } from '../i18n/i18n.js';
import { timeOfDay } from '../i18n/time-of-day.js';

/** What a marker is, in words: "Flag: someone else in view". */
function markerText(m: ReviewMarker): string {
  const known = (key: string) => (hasMessage(key) ? t(key) : m.name);
  switch (m.type) {
    case 'phase': return known(`review.phase.${m.name}`);
    case 'flag': return `${t(m.kind === 'cant-see' ? 'proctor.flag.cant-see' : 'proctor.flag.suspicious')}: ${known(`flag.${m.name}`)}`;
    case 'integrity': return known(`event.${m.name}`);
    case 'outage': return t('review.outage');
    case 'chat': return `${t(m.name === 'proctor' ? 'review.chat.proctor' : 'review.chat.candidate')}: ${m.text ?? ''}`;
    case 'action': return known(`review.action.${m.name}`);
  }
}

/** A marker's server time ("14:03:10"), its words, and both as one label. */
export interface MarkerWords { time: string; text: string; label: string }
const memo = new WeakMap<readonly ReviewMarker[], { lang: string; words: MarkerWords[] }>();

/**
 * Each marker's time and words, in order, made once per list and language: the review redraws
 * its timeline several times a second while playing, and formatting is most of that work.
 */
export function markerWords(markers: readonly ReviewMarker[]): MarkerWords[] {
  const lang = locale();
  const kept = memo.get(markers);
  if (kept?.lang === lang) return kept.words;
  const words = markers.map((m) => {
    const time = timeOfDay(m.at);
    const text = markerText(m);
    return { time, text, label: `${time} ${text}` };
  });
  memo.set(markers, { lang, words });
  return words;
}
