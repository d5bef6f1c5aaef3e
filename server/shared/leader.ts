import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Which server process runs the cluster-wide jobs (the lottery's automatic numbers, the retention
 * sweep). Both jobs are safe to run twice — they read the data and change it under the database's
 * own guarantees — so this decides who does the work, not whether it is correct.
 */
export interface Leadership {
  /** Whether this process runs the jobs now. */
  readonly leading: boolean;
  /** Called each time this process takes the lead (it runs the jobs at once). */
  onLead(fn: () => void): () => void;
  stop(): Promise<void>;
}

/** One process: it always leads. */
export function soleLeadership(): Leadership {
  return { leading: true, onLead: () => () => {}, stop: async () => {} };
}

export interface LeaseTimes {
  /** How long the lease lasts without renewal: a crashed leader is replaced within this. */
  ttlMs: number;
  /** How often the leader renews and the others try to take it. */
  renewMs: number;
}

const KEY = 'invigil:leader';
/** Extends the lease only if this process still holds it. */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/**
 * A lease in Redis (REDIS_URL): `SET NX PX`, renewed by its holder. While Redis cannot be
 * reached every process leads — the jobs run more than once rather than not at all.
 */
export async function redisLeadership(url: string, log: (line: string) => void, times: LeaseTimes = { ttlMs: 30_000, renewMs: 10_000 }): Promise<Leadership> {
  const me = randomUUID();
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  const handlers = new Set<() => void>();
  let leading = false;
  let unreachable = false;
  const become = (lead: boolean, why: string) => {
    if (lead === leading) return;
    leading = lead;
    log(lead ? `leader: this process runs the lottery and retention jobs (${why})` : `leader: another process runs the jobs now (${why})`);
    if (lead) for (const h of handlers) h();
  };
  const tick = async () => {
    try {
      if (leading && !unreachable) {
        if (Number(await client.eval(RENEW, 1, KEY, me, times.ttlMs)) === 1) return;
        become(false, 'the lease went to another process');
      }
      const took = (await client.set(KEY, me, 'PX', times.ttlMs, 'NX')) === 'OK';
      if (unreachable) {
        unreachable = false;
        if (!took) become(false, 'Redis is back and another process holds the lease');
      }
      if (took) become(true, 'took the lease');
    } catch (err) {
      if (!unreachable) log(`leader: Redis unreachable (${err instanceof Error ? err.message : String(err)}); this process runs the jobs meanwhile`);
      unreachable = true;
      become(true, 'Redis unreachable');
    }
  };
  await client.connect().catch(() => {});
  await tick();
  const timer = setInterval(() => void tick(), times.renewMs);
  timer.unref();
  return {
    get leading() {
      return leading;
    },
    onLead(fn) {
      handlers.add(fn);
      return () => handlers.delete(fn);
    },
    async stop() {
      clearInterval(timer);
      // Hand the lease back at once: the next process need not wait for it to expire.
      if (leading && !unreachable) await client.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, KEY, me).catch(() => 0);
      await client.quit().catch(() => client.disconnect());
    },
  };
}
