import { locale } from './i18n.js';

/** The current language's date and time ("2026/12/2 19:10:02"), for sentences that name a moment (an error's retry time). */
export const localTime = (ms: number): string => new Date(ms).toLocaleString(locale());

/** One formatter per language: building one costs far more than using it (a timeline formats hundreds). */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A moment as a 24-hour clock time in the current language, "14:03:10" — what `toLocaleTimeString(locale(), { hour12: false })` gives. */
export function timeOfDay(ms: number): string {
  const lang = locale();
  let f = formatters.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false });
    formatters.set(lang, f);
  }
  return f.format(ms);
}
