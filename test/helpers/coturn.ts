import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { freePort } from './free-port.js';
import path from 'node:path';
import net from 'node:net';

export interface Turn { url: string; username: string; credential: string; port: number; stop(): Promise<void>; output(): string }


/**
 * A real coturn (Debian `coturn`, installed by .ci/run) on loopback for one test: long-term
 * credentials, relays on 127.0.0.1 (loopback peers allowed), no TLS, stopped afterwards.
 */
export async function startCoturn(): Promise<Turn> {
  const bin = ['/usr/bin/turnserver', '/usr/sbin/turnserver'].find((p) => existsSync(p));
  if (!bin) throw new Error('coturn is not installed: apt-get install -y coturn');
  const port = await freePort();
  const username = 'invigil';
  const credential = `pw-${Math.random().toString(36).slice(2)}`;
  // Its own database in a temp directory (not /var/lib/turn), removed when it stops.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'invigil-turn-'));
  const child: ChildProcess = spawn(bin, [
    '-n', '--no-cli', '--no-tls', '--no-dtls', '--log-file=stdout', '--simple-log',
    '--listening-ip=127.0.0.1', `--listening-port=${port}`, '--relay-ip=127.0.0.1', '--allow-loopback-peers',
    '--min-port=49160', '--max-port=49400', '--fingerprint', '--lt-cred-mech', `--user=${username}:${credential}`, '--realm=invigil.test',
    '--no-multicast-peers', '--pidfile=/dev/null', `--userdb=${path.join(dir, 'turndb')}`, '--verbose',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start:\n${out}`)), 10_000);
    const check = setInterval(() => {
      const probe = net.connect(port, '127.0.0.1', () => {
        probe.destroy();
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      });
      probe.on('error', () => probe.destroy());
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`coturn exited (${code}):\n${out}`));
    });
  });
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`, username, credential, port,
    output: () => out,
    stop: () => new Promise<void>((resolve) => {
      const done = () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    }),
  };
}
