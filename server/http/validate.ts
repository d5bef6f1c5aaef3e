import type { Context } from 'hono';
import type { z } from 'zod';
import { formatPath } from '../../src/core/issues.js';
import { ApiError } from './api-error.js';

/** Parses a JSON request body with a schema; every problem goes back to the client by path. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError(400, 'bad_request', 'the body is not valid JSON');
  }
  return parseWith(schema, raw, 'body');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  throw new ApiError(400, 'bad_request', `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}
