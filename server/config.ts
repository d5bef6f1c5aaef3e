import path from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../src/core/issues.js';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_TOKEN_TTL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(900),
  WS_HEARTBEAT_SECONDS: z.coerce.number().min(0.1).max(300).default(15),
});

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  sessionTokenTtlMs: number;
  signaling: { heartbeatMs: number };
}

/** Reads the environment (README, Configuration); throws with every problem named. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new Error(`invalid environment:\n${formatIssues(parsed.error).join('\n')}`);
  const { PORT, HOST, DATA_DIR, SESSION_TOKEN_TTL_SECONDS, WS_HEARTBEAT_SECONDS } = parsed.data;
  return {
    port: PORT, host: HOST, dataDir: path.resolve(DATA_DIR), sessionTokenTtlMs: SESSION_TOKEN_TTL_SECONDS * 1000,
    signaling: { heartbeatMs: WS_HEARTBEAT_SECONDS * 1000 },
  };
}
