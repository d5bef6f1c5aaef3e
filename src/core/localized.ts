import { z } from 'zod';

/** Text shown to people: zh-CN is required (the primary language), English optional. */
export const LocalizedText = z.object({
  'zh-CN': z.string().min(1),
  en: z.string().min(1).optional(),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/** Picks the text for a locale, falling back to zh-CN when no translation was configured. */
export function pickText(text: LocalizedText, locale: Locale): string {
  return (locale === 'en' ? text.en : undefined) ?? text['zh-CN'];
}
