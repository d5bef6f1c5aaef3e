// A real PostgreSQL (Debian's postgresql 15: initdb, pg_ctl) on loopback in a temporary data
// directory, for the tests and `npm test`'s PostgreSQL pass; stopped and removed afterwards.
// Plain ESM: scripts/test.mjs starts one for the pass, the tests' TypeScript helpers reuse it.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** initdb and pg_ctl: on PATH (Debian links them under /usr/local/bin here) or Debian's own place. */
function pgBin(name) {
  const candidates = ['/usr/local/bin', '/usr/bin', ...(existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : [])];
  const found = candidates.map((d) => path.join(d, name)).find((p) => existsSync(p));
  if (!found) throw new Error(`${name} not found: apt-get install -y postgresql`);
  return found;
}

const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});

/**
 * Starts a cluster; resolves with `{ url, createDatabase(), stop() }`. `url` is the admin URL (user
 * postgres, trust on loopback); `createDatabase()` makes a fresh, empty database and gives its URL.
 * PostgreSQL refuses to run as root: as root, it runs as the `postgres` user.
 */
export async function startPostgresCluster() {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'invigil-pg-'));
  const run = (bin, args) => {
    const cmd = asRoot ? ['runuser', ['-u', 'postgres', '--', pgBin(bin), ...args]] : [pgBin(bin), args];
    return execFileSync(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'] });
  };
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const data = path.join(dir, 'data');
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--locale=C', '--encoding=UTF8']);
    // Durability settings off: a test cluster is thrown away (production keeps the defaults).
    const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', '-t', '30', 'start']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${err.stderr?.toString() ?? err.message}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    createDatabase: () => createDatabaseOn(url),
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A fresh database on the cluster whose admin URL is given (the pass's `INVIGIL_TEST_POSTGRES`). */
export async function createDatabaseOn(adminUrl) {
  const name = `t${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
