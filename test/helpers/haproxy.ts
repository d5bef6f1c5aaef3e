import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface TestHaproxy {
  url: string;
  /** The configuration it runs (the one docs/deploy.md shows). */
  config: string;
  /** Per backend server: sessions it has served, and whether its health check says UP. */
  stats(): Promise<Record<string, { sessions: number; status: string }>>;
  stop(): Promise<void>;
}

/**
 * The load balancer the deployment guide configures, for the server processes at these
 * `host:port`s: Debian's haproxy on loopback, round robin per request, WebSockets through,
 * `/healthz` checked every second, a request that cannot connect retried on another process.
 */
export function haproxyConfig(port: number, backends: string[], statsSocket: string): string {
  return `global
  # Two descriptors per connection: raise the process's file limit (LimitNOFILE) for more.
  maxconn 8000
  stats socket ${statsSocket} mode 600 level admin

defaults
  mode http
  option http-server-close
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A WebSocket stays open for the whole exam.
  timeout tunnel 4h
  # A busy process answers its health check late, not never: taking every process out at a peak
  # would turn a slow exam into a stopped one.
  timeout check 5s
  # A process that is down or dying: the request goes to another (uploads are idempotent).
  option redispatch
  retries 3
  retry-on conn-failure empty-response

frontend invigil
  bind 127.0.0.1:${port}
  default_backend servers

backend servers
  balance roundrobin
  option httpchk
  # HTTP/1.1 with a Host header, as the clients speak (the default check is HTTP/1.0 without one).
  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host invigil
  http-check expect status 200
${backends.map((b, i) => `  server s${i + 1} ${b} check inter 1s fall 3 rise 2`).join('\n')}
`;
}

export async function startHaproxy(backends: string[]): Promise<TestHaproxy> {
  const bin = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));
  if (!bin) throw new Error('haproxy is not installed: apt-get install -y haproxy');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-haproxy-'));
  const port = await freePort();
  const socket = path.join(dir, 'stats.sock');
  const config = haproxyConfig(port, backends, socket);
  const file = path.join(dir, 'haproxy.cfg');
  await writeFile(file, config);
  const child = spawn(bin, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const ask = (command: string) => new Promise<string>((resolve, reject) => {
    const conn = net.createConnection(socket);
    let reply = '';
    conn.on('data', (d) => { reply += d.toString(); });
    conn.on('end', () => resolve(reply));
    conn.on('error', reject);
    conn.end(`${command}\n`);
  });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${out}`);
    if (await ask('show info').then(() => true, () => false)) break;
    if (i > 100) throw new Error(`haproxy did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    async stats() {
      const csv = (await ask('show stat')).split('\n').filter((l) => l && !l.startsWith('#'));
      const out: Record<string, { sessions: number; status: string }> = {};
      for (const line of csv) {
        const f = line.split(',');
        // pxname, svname, …, stot (7), …, status (17)
        if (f[0] === 'servers' && f[1] !== 'BACKEND' && f[1]) out[f[1]] = { sessions: Number(f[7]), status: f[17] ?? '' };
      }
      return out;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
