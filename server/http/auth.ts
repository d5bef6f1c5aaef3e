import type { MiddlewareHandler } from 'hono';
import type { AccessClaims } from '../auth/tokens.js';
import type { Sessions } from '../domain/sessions.js';
import { forbidden, unauthorized } from './api-error.js';

export interface AuthEnv { Variables: { auth: AccessClaims } }

/** Requires a Bearer session token of one role whose session is still active. */
export function requireRole<E extends AuthEnv = AuthEnv>(sessions: Sessions, role: AccessClaims['role']): MiddlewareHandler<E> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9._-]{10,4096})$/.exec(header);
    if (!match?.[1]) throw unauthorized('missing or malformed Authorization header');
    const claims = await sessions.authenticate(match[1]);
    if (claims.role !== role) throw forbidden(`this needs a ${role} session`);
    c.set('auth', claims);
    await next();
  };
}
