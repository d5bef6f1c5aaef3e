import path from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../src/core/issues.js';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
});

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
}

/** Reads PORT, HOST and DATA_DIR; throws with every problem named. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new Error(`invalid environment:\n${formatIssues(parsed.error).join('\n')}`);
  return { port: parsed.data.PORT, host: parsed.data.HOST, dataDir: path.resolve(parsed.data.DATA_DIR) };
}
