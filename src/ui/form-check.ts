import { t } from '../i18n/i18n.js';

/**
 * Checks a form's required fields before it is sent: '' when all are filled, otherwise the
 * sentence naming the empty ones by their visible labels (never by internal names), with focus
 * on the first of them.
 */
export function missingFields(form: HTMLFormElement): string {
  const empty = [...form.querySelectorAll<HTMLInputElement>('input[required]')].filter((input) => input.value.trim() === '');
  if (!empty.length) return '';
  empty[0]?.focus();
  const labels = empty.map((input) => form.querySelector(`label[for="${input.id}"]`)?.textContent.trim() ?? '').filter(Boolean);
  return t('form.missing', { fields: labels.join(t('form.listSeparator')) });
}
