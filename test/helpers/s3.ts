import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface TestS3 { endpoint: string; bucket: string; credentials: { accessKeyId: string; secretAccessKey: string }; close(): Promise<void> }

const MAIN = fileURLToPath(new URL('./s3rver-main.mjs', import.meta.url));

/** s3rver (an S3-compatible server from npm) in a child process on a loopback port, a temporary directory, one bucket. */
export async function startS3(bucket = 'invigil-test'): Promise<TestS3> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invigil-s3-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', MAIN, dir, bucket], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code ?? 'signal'}) before listening`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    // s3rver's own access key: requests are signed with it.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
