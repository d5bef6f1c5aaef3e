import type { ReviewMarker } from '../core/review.js';
import { hasMessage, locale, t } from '../i18n/i18n.js';

/** A marker in words, with its server time: "14:03:10 Flag: someone else in view (0:20)". */
export function markerLabel(m: ReviewMarker): string {
  const time = new Date(m.at).toLocaleTimeString(locale(), { hour12: false });
  return `${time} ${markerText(m)}`;
}

export function markerText(m: ReviewMarker): string {
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
