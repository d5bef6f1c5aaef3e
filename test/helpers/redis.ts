import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { freePort } from './free-port.js';
import path from 'node:path';

export interface TestRedis { url: string; stop(): Promise<void> }


/** A real redis-server (Debian `redis-server`, installed by .ci/run) on loopback, nothing persisted, stopped afterwards. */
export async function startRedis(): Promise<TestRedis> {
  const bin = ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((p) => existsSync(p));
  if (!bin) throw new Error('redis-server is not installed: apt-get install -y redis-server');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'invigil-redis-'));
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    const check = setInterval(() => {
      if (!/Ready to accept connections/.test(out)) return;
      clearInterval(check);
      clearTimeout(timer);
      resolve();
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code ?? 'signal'}):\n${out}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
