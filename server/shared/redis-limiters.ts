import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { LimiterFactory } from '../auth/login-throttle.js';

export interface SharedCounters {
  limiters: LimiterFactory;
  /** Connected now (else each process counts on its own). */
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * Throttle counters (login and binding guesses, event rates) kept in Redis, so every server
 * process counts the same attempts: a guesser spread over N processes meets one limit. While
 * Redis cannot be reached, each process falls back to its own counters (insurance), so logins
 * go on — throttled per process — rather than failing.
 */
export async function redisLimiters(url: string, log: (line: string) => void): Promise<SharedCounters> {
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let down = false;
  // Said once per outage (the client retries by itself meanwhile).
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log(`throttles: Redis unreachable (${err.message}); counting in this process until it returns`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log('throttles: Redis reachable again; counting there');
  });
  await client.connect();
  return {
    limiters: (opts) => new RateLimiterRedis({
      ...opts,
      storeClient: client,
      keyPrefix: `invigil:${opts.keyPrefix ?? 'rl'}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(opts),
    }),
    ready: () => client.status === 'ready',
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
