import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './http/app.js';
import { attachSignaling, type SignalingOptions } from './ws/signaling.js';
import { createServices, type Services } from './services.js';
import { LotteryScheduler } from './domain/lottery-scheduler.js';

export interface StartOptions {
  port: number;
  host: string;
  dataDir: string;
  /** The built app (dist/app by default). */
  appDir?: string;
  now?: () => number;
  log?: (line: string) => void;
  sessionTokenTtlMs?: number;
  signaling?: SignalingOptions;
  /** Storage settings (S3_*, AWS_*): this process's environment by default. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningServer {
  url: string;
  services: Services;
  scheduler: LotteryScheduler;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** This file runs from server/ (tsx) or from dist/node/server/ (built). */
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}node`) ? '../../..' : '..');
/** Idle keep-alive connections are kept this long (the clients' slowest regular request is every 10 s). */
const KEEP_ALIVE_MS = 65_000;
/** Pending connections the kernel queues for us (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

export const DEFAULT_APP_DIR = path.join(repoRoot, 'dist', 'app');

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const services = await createServices(opts.dataDir, {
    log, serving: true, ...(opts.now ? { now: opts.now } : {}), ...(opts.sessionTokenTtlMs ? { sessionTokenTtlMs: opts.sessionTokenTtlMs } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  // The sockets are counted once signaling is attached (after the HTTP server exists).
  let sockets = () => 0;
  const app = createApp(services, opts.appDir ?? DEFAULT_APP_DIR, () => sockets());
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createAdaptorServer({ fetch: app.fetch, hostname: opts.host }) as Server;
    // Clients post events every 10 s: a keep-alive shorter than that opens a connection per post.
    s.keepAliveTimeout = KEEP_ALIVE_MS;
    s.headersTimeout = KEEP_ALIVE_MS + 5_000;
    s.once('error', reject);
    // Node's default backlog (511) overflowed at 1,200 candidates: their retries stalled for 30–70 s.
    s.listen({ port: opts.port, host: opts.host, backlog: LISTEN_BACKLOG }, () => resolve(s));
  });
  // A client that resets mid-request, a socket error: that connection ends, never the process.
  server.on('clientError', (_err, socket) => socket.destroy());
  const signaling = attachSignaling(server, services, opts.signaling);
  sockets = () => signaling.registry.size;
  const scheduler = new LotteryScheduler(services.exams, services.lottery, services.now, log, services.leader);
  await scheduler.start();
  const sweepRetention = services.retention.start(() => services.leader.leading);
  services.scrubber.start(() => services.leader.leading);
  services.reported.start();
  // A process that takes the lead (its predecessor stopped or crashed) runs both jobs at once.
  const offLead = services.leader.onLead(() => {
    void scheduler.poke();
    sweepRetention();
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    services,
    scheduler,
    async close() {
      offLead();
      await scheduler.stop();
      services.retention.stop();
      services.scrubber.stop();
      signaling.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.reported.stop();
      await services.db.destroy();
      await services.release();
    },
  };
}

