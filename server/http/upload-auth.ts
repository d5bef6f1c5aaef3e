import type { MiddlewareHandler } from 'hono';
import type { Sessions, UploadAuth } from '../domain/sessions.js';
import { unauthorized } from './api-error.js';

export interface UploadEnv { Variables: { upload: UploadAuth } }

/**
 * Requires the device upload credential (not a session token): valid until the exam's retention
 * ends, so hours offline or an expired session never strand recorded evidence.
 */
export function requireUploadCredential(sessions: Sessions): MiddlewareHandler<UploadEnv> {
  return async (c, next) => {
    const match = /^Bearer ([A-Za-z0-9._-]{10,4096})$/.exec(c.req.header('authorization') ?? '');
    if (!match?.[1]) throw unauthorized('missing or malformed Authorization header');
    c.set('upload', await sessions.authenticateUpload(match[1]));
    await next();
  };
}
