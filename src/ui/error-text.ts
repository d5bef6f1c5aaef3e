import { ApiRequestError } from '../net/api-error.js';
import { hasMessage, t } from '../i18n/i18n.js';

/** A translated sentence saying what went wrong and what to do, for any thrown value. */
export function errorText(err: unknown, formatTime: (ms: number) => string): string {
  if (!(err instanceof ApiRequestError)) return t('error.unknown', { code: err instanceof Error ? err.name : 'error' });
  switch (err.code) {
    case 'network': return t('error.network');
    case 'login_not_open':
    case 'entry_not_open': {
      const opensAt = (err.details as { opensAt?: unknown } | undefined)?.opensAt;
      return t(`error.${err.code}`, { time: typeof opensAt === 'number' ? formatTime(opensAt) : '' });
    }
    case 'too_many_attempts': {
      const seconds = (err.details as { retryAfterS?: unknown } | undefined)?.retryAfterS;
      return t('error.too_many_attempts', { seconds: typeof seconds === 'number' ? seconds : 30 });
    }
    case 'binding_code_invalid': {
      const reason = (err.details as { reason?: unknown } | undefined)?.reason;
      return t(reason === 'used' ? 'error.binding_code_used' : reason === 'expired' ? 'error.binding_code_expired' : 'error.binding_code_invalid');
    }
    case 'bad_request': {
      // Named by the words on screen where there are any; never by the server's field names.
      const issues = (err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
      const named = [...new Set(issues.map((i) => `field.${i.path.split('.')[0] ?? ''}`).filter((key) => hasMessage(key)))];
      return named.length ? t('error.bad_request', { detail: named.map((key) => t(key)).join(t('form.listSeparator')) }) : t('error.bad_request_general');
    }
    default: {
      const key = `error.${err.code}`;
      return hasMessage(key) ? t(key) : t('error.unknown', { code: err.code });
    }
  }
}

