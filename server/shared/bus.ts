import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { DeviceState, ServerMessage } from '../../src/core/ws-schema.js';
import type { AccessClaims } from '../auth/tokens.js';
import type { Change } from './change.js';

/**
 * What one server process tells the others so the live console works whichever process each
 * socket reached: notices for tiles and chat, heartbeats (presence), messages for a socket held
 * elsewhere (a peer signal, a watch), and sessions ended (their sockets close everywhere).
 */
export type BusMessage =
  | { t: 'change'; change: Change }
  | { t: 'beat'; exam: string; candidate: string; at: number; state?: DeviceState }
  /** For the socket with this peer id, if the sender may reach it (checked where it is held). */
  | { t: 'to-peer'; peer: string; from: AccessClaims; msg: ServerMessage }
  /** For every socket of this user. */
  | { t: 'to-subject'; exam: string; role: AccessClaims['role']; sub: string; msg: ServerMessage }
  /** A candidate's laptop or phone signed in somewhere: whoever watches it says so again. */
  | { t: 'joined'; exam: string; role: AccessClaims['role']; sub: string }
  | { t: 'session-ended'; sid: string; reason: string };

export interface Bus {
  /** Whether other processes may be listening (false: this process is alone). */
  readonly shared: boolean;
  /** To every other server process (nothing to do when this is the only one). */
  publish(m: BusMessage): void;
  /** What the other processes published. */
  on(handler: (m: BusMessage) => void): () => void;
  close(): Promise<void>;
}

/** One process: nobody else to tell. */
export function localBus(): Bus {
  return { shared: false, publish: () => {}, on: () => () => {}, close: async () => {} };
}

const CHANNEL = 'invigil:bus';

/**
 * The bus over Redis pub/sub (REDIS_URL): one channel, each message stamped with its process so
 * a process skips its own. Pub/sub keeps nothing: while Redis is away, messages are dropped (said
 * once in the log) — the console recovers by itself (the next heartbeat, the next tile, the
 * client's watch renewal), and nothing stored depends on them.
 */
export async function redisBus(url: string, log: (line: string) => void): Promise<Bus> {
  const me = randomUUID();
  const pub = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const sub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null });
  const handlers = new Set<(m: BusMessage) => void>();
  let down = false;
  const fault = (err: Error) => {
    if (down) return;
    down = true;
    log(`bus: Redis unreachable (${err.message}); live notices reach this process's sockets only until it returns`);
  };
  pub.on('error', fault);
  sub.on('error', fault);
  pub.on('ready', () => {
    if (down) log('bus: Redis reachable again');
    down = false;
  });
  sub.on('message', (_channel: string, text: string) => {
    let parsed: { o: string; m: BusMessage };
    try {
      parsed = JSON.parse(text) as { o: string; m: BusMessage };
    } catch {
      return;
    }
    if (parsed.o === me) return;
    for (const h of handlers) {
      try {
        h(parsed.m);
      } catch (err) {
        log(`bus: a handler failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  });
  await Promise.all([pub.connect(), sub.connect()]);
  await sub.subscribe(CHANNEL);
  return {
    shared: true,
    publish(m) {
      pub.publish(CHANNEL, JSON.stringify({ o: me, m })).catch((err: unknown) => fault(err instanceof Error ? err : new Error(String(err))));
    },
    on(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
      await Promise.all([pub.quit().catch(() => pub.disconnect()), sub.quit().catch(() => sub.disconnect())]);
    },
  };
}
