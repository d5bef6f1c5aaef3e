// `npm run bench -- load [--processes N] [--candidates M] [--seconds S] [--v1 | --per-recording] [--aligned] [--s3] [--cpu-prof DIR]`:
// simulated candidates against the built server — N > 1: N processes behind haproxy with
// PostgreSQL and Redis, as docs/deploy.md runs them; `--s3`: the recordings in s3rver, not on the
// local disk. Each candidate logs in, keeps a WebSocket (heartbeats every
// 4 s), records a camera chunk (≈ 300 kbit/s) and a screen chunk every 2 s and uploads them as the
// app does — four at a time of both recordings in one request of sections (v2, LIVE_BATCH_MS);
// with `--per-recording` one framed request per recording, with `--v1` one PUT each — posts an
// event every 10 s, and completes both recordings at the end. The load generator shares this
// machine's cores with the servers: the figures are a floor, and say so.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { chainHead, contentDigestHeader, toHex } from '../src/core/hash-chain.js';
import { encodeFrameHeader, encodeSectionHeader, FRAMES_TYPE, LIVE_BATCH_MS } from '../src/core/upload-frames.js';
import { examFixture } from '../test/helpers/exam-fixture.js';
import { writeJson } from '../test/helpers/test-server.js';
import { ROOT, spawnServer, type ChildServer } from '../test/helpers/child-server.js';
import { startHaproxy, type TestHaproxy } from '../test/helpers/haproxy.js';
import { startRedis, type TestRedis } from '../test/helpers/redis.js';
import { startS3, type TestS3 } from '../test/helpers/s3.js';
// @ts-expect-error plain ESM helper shared with scripts/test.mjs
import { startPostgresCluster } from '../test/helpers/postgres-cluster.mjs';
import { cpuMsOf } from './lib/cpu.js';
import { emit, percentile, sleep } from './lib/setup.js';

/** The word after `--name`, or undefined when the flag is absent. */
const textArg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] ?? '' : undefined;
};
const arg = (name: string, fallback: number) => {
  const text = textArg(name);
  return text === undefined ? fallback : Number(text);
};
const PROCESSES = arg('processes', 1);
const CANDIDATES = arg('candidates', 200);
/** `--warm-up N`: N more candidates upload three batches each before the run (not counted): a process's first uploads run cold. */
const WARM_UP = arg('warm-up', 0);
const SECONDS = arg('seconds', 60);
const CAMERA_BYTES = 75_000;
const SCREEN_BYTES = 25_000;
const CHUNK_MS = 2_000;
const V1 = process.argv.includes('--v1');
const PER_RECORDING = process.argv.includes('--per-recording');
const ALIGNED = process.argv.includes('--aligned');
const S3 = process.argv.includes('--s3');
/** `--cpu-prof DIR`: each server process writes a V8 CPU profile there when it stops. */
const PROFILE_DIR = textArg('cpu-prof') === undefined ? null : path.resolve(textArg('cpu-prof') || '.');
/** Chunks per upload request and recording: what the app's live batching sends together. */
const PER_REQUEST = V1 ? 1 : Math.round(LIVE_BATCH_MS / CHUNK_MS);

interface PgCluster { url: string; createDatabase(): Promise<string>; stop(): Promise<void> }
const sha = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-load-'));
let pg: PgCluster | null = null;
let redis: TestRedis | null = null;
let s3: TestS3 | null = null;
let lb: TestHaproxy | null = null;
const servers: ChildServer[] = [];
let env: Record<string, string> = {};
if (PROCESSES > 1) {
  pg = await (startPostgresCluster as () => Promise<PgCluster>)();
  redis = await startRedis();
  env = { DATABASE_URL: await pg.createDatabase(), REDIS_URL: redis.url, INVIGIL_SECRET: randomBytes(32).toString('hex') };
}
if (S3) {
  s3 = await startS3();
  env = { ...env, S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey };
}
const examId = 'load';
const file = await writeJson(dataDir, 'exam.json', examFixture({ id: examId, startAt: Date.now() + 14 * 60_000, rooms: { A: CANDIDATES + WARM_UP } }));
await promisify(execFile)(process.execPath, ['bin/invigil.mjs', 'import', file], { cwd: ROOT, env: { ...process.env, ...env, DATA_DIR: dataDir } });
// One data directory for all: the chunks on this machine's disk, the state in PostgreSQL (N > 1).
/** `--server-node-args "A B"`: Node/V8 flags for every server process (e.g. a young generation's size). */
const NODE_ARGS = (textArg('server-node-args') ?? '').split(' ').filter(Boolean);
const profile = [...NODE_ARGS, ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];
for (let i = 0; i < PROCESSES; i++) servers.push(await spawnServer(dataDir, 'dist/node/server/main.js', [], env, profile));
if (PROCESSES > 1) lb = await startHaproxy(servers.map((s) => new URL(s.url).host));
const base = lb?.url ?? servers[0]?.url ?? '';

const acks: number[] = [];
/** When each slow request (over 100 ms) was sent, in whole seconds of the run: one stall, or a queue all along? */
const slowAt = new Map<number, number>();
let runStart = 0;
/** Sent from then on: every candidate has uploaded once (starts spread over a batch period; the first batch is full after PER_REQUEST - 1 beats). */
const STEADY_FROM_S = Math.round(((ALIGNED ? 1 : PER_REQUEST) * CHUNK_MS + (PER_REQUEST - 1) * CHUNK_MS) / 1000);
const steadyAcks: number[] = [];
let measuring = true;
let chunksAcked = 0;
let errors = 0;
let requests = 0;
const errorKinds = new Map<string, number>();
const fail = (what: string) => {
  errors++;
  errorKinds.set(what, (errorKinds.get(what) ?? 0) + 1);
};
async function call(method: string, url: string, body?: unknown, token?: string): Promise<Response | null> {
  requests++;
  try {
    return await fetch(base + url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    fail(`${method} ${url.split('/').slice(0, 3).join('/')}: ${(err as Error).message}`);
    return null;
  }
}

interface Sim { id: string; token: string; cred: string; ws: WebSocket | null; recs: { id: string; kind: string; size: number; digests: Uint8Array[]; bytes: number }[] }

async function join(n: number): Promise<Sim | null> {
  const id = `cA-${n}`;
  const r = await call('POST', '/api/session/candidate', { examId, candidateId: id, ticketCode: `TA-${n}`, deviceId: `load-device-${n}-aaaaaaaa` });
  if (!r?.ok) { fail(`login ${r?.status}`); return null; }
  const login = await r.json() as { token: string; uploadCredential: string };
  const sim: Sim = { id, token: login.token, cred: login.uploadCredential, ws: null, recs: [] };
  for (const [kind, size] of [['camera', CAMERA_BYTES], ['screen', SCREEN_BYTES]] as const) {
    const rec = { id: `load-${kind}-${n}-${randomBytes(4).toString('hex')}`, kind, size, digests: [] as Uint8Array[], bytes: 0 };
    const a = await call('PUT', `/api/recordings/${rec.id}`, { kind, mimeType: 'video/webm' }, sim.cred);
    const b = await call('PUT', `/api/recordings/${rec.id}/segments/0`, { startedAt: Date.now(), mimeType: 'video/webm' }, sim.cred);
    if (!a?.ok || !b?.ok) { fail(`recording ${a?.status}/${b?.status}`); return null; }
    sim.recs.push(rec);
  }
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  ws.on('error', () => fail('ws error'));
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'auth', token: sim.token }));
  sim.ws = ws;
  return sim;
}

/**
 * Uploads chunks `from`…`from + n - 1` of the candidate's recordings as the app does: one request
 * of sections for all of them (v2, the default); `--per-recording`: one framed request each (v2
 * before sections); `--v1`: one PUT per chunk.
 */
async function upload(sim: Sim, from: number, n: number): Promise<void> {
  const sent = sim.recs.map((rec) => {
    const bodies = Array.from({ length: n }, () => randomBytes(rec.size));
    return { rec, bodies, digests: bodies.map(sha) };
  });
  const framesOf = (x: (typeof sent)[number]) => x.bodies.flatMap((b, i) => [encodeFrameHeader({ segment: 0, seq: from + i, size: b.length, digest: x.digests[i] ?? new Uint8Array(32) }), b]);
  const post = async (path: string, body: Uint8Array[], count: number): Promise<boolean> => {
    const res = await fetch(`${base}${path}`, { method: 'POST', body: Buffer.concat(body), headers: { authorization: `Bearer ${sim.cred}`, 'content-type': FRAMES_TYPE } });
    const reply = await res.json() as { frames?: unknown[] };
    return res.status === 200 && reply.frames?.length === count;
  };
  const put = async (x: (typeof sent)[number]): Promise<boolean> => {
    const [body, digest] = [x.bodies[0], x.digests[0]];
    if (!body || !digest) return false;
    const res = await fetch(`${base}/api/recordings/${x.rec.id}/segments/0/chunks/${from}`, {
      method: 'PUT', body,
      headers: { authorization: `Bearer ${sim.cred}`, 'content-type': 'application/octet-stream', 'content-digest': contentDigestHeader(digest) },
    });
    await res.arrayBuffer();
    return res.status === 201 || res.status === 200;
  };
  const timed = async (send: () => Promise<boolean>, covers: (typeof sent)) => {
    const t0 = performance.now();
    requests++;
    try {
      if (!(await send())) return fail(V1 ? 'chunk refused' : 'frames refused');
      const ms = performance.now() - t0;
      if (!measuring) return;
      acks.push(ms);
      const second = Math.floor((t0 - runStart) / 1000);
      if (second >= STEADY_FROM_S) steadyAcks.push(ms);
      if (ms > 100) slowAt.set(second, (slowAt.get(second) ?? 0) + 1);
      for (const x of covers) {
        x.digests.forEach((d, i) => { x.rec.digests[from + i] = d; });
        x.rec.bytes += n * x.rec.size;
        chunksAcked += n;
      }
    } catch (err) {
      fail(`chunk: ${(err as Error).message}`);
    }
  };
  if (V1) await Promise.all(sent.map((x) => timed(() => put(x), [x])));
  else if (PER_RECORDING) await Promise.all(sent.map((x) => timed(() => post(`/api/recordings/${x.rec.id}/chunks`, framesOf(x), n), [x])));
  else await timed(() => post('/api/recordings/chunks', sent.flatMap((x) => [encodeSectionHeader(x.rec.id), ...framesOf(x)]), n * sent.length), sent);
}

/** Candidates `first`…`first + count - 1` logged in, 20 at a time (those that failed are counted and left out). */
async function joinAll(first: number, count: number): Promise<Sim[]> {
  const joined: Sim[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, k) => join(first + i + k)));
    for (const s of batch) if (s) joined.push(s);
  }
  return joined;
}

const sims = await joinAll(1, CANDIDATES);
if (WARM_UP > 0) {
  measuring = false;
  const counted = requests;
  const warm = await joinAll(CANDIDATES + 1, WARM_UP);
  for (let b = 0; b < 3; b++) await Promise.all(warm.map((sim) => upload(sim, b * PER_REQUEST, PER_REQUEST)));
  for (const s of warm) s.ws?.close();
  requests = counted;
  measuring = true;
}
const pids = servers.map((s) => s.child.pid ?? 0);
const cpu0 = pids.map((p) => cpuMsOf([p]));
const generator0 = process.cpuUsage();
// The generator's own event loop: a reply waits there too before its time is taken.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const t0 = Date.now();
runStart = performance.now();
let seqs = 0;
// Each candidate on its own beat. A device's batch timer starts with its own recording, so the
// batches are spread over the batch period (v1: the 2 s chunk period); `--aligned` starts every
// candidate within one chunk period instead — each batch of all candidates in the same 2 s.
await Promise.all(sims.map(async (sim, i) => {
  await sleep((i / sims.length) * CHUNK_MS * (ALIGNED ? 1 : PER_REQUEST));
  let seq = 0;
  let beat = 0;
  while (Date.now() - t0 < SECONDS * 1000) {
    const started = Date.now();
    if ((seq + 1) % PER_REQUEST === 0) await upload(sim, seq + 1 - PER_REQUEST, PER_REQUEST);
    if (seq % 2 === 0 && sim.ws?.readyState === WebSocket.OPEN) {
      sim.ws.send(JSON.stringify({ type: 'heartbeat', state: { step: 'exam', recording: true, recordings: sim.recs.map((r) => ({ id: r.id, kind: r.kind, bytes: r.bytes })), watchedBy: 0 } }));
    }
    if (seq % 5 === 0) {
      const r = await call('POST', '/api/device/events', { events: [{ id: `load-${sim.id}-${beat++}`, type: 'tab-visible', at: Date.now() }] }, sim.cred);
      if (r && !r.ok) fail(`events ${r.status}`);
      await r?.arrayBuffer();
    }
    seq++;
    await sleep(Math.max(0, CHUNK_MS - (Date.now() - started)));
  }
  seqs = Math.max(seqs, seq);
}));
const elapsed = (Date.now() - t0) / 1000;
const cpu = pids.map((p, i) => (cpuMsOf([p]) - (cpu0[i] ?? 0)) / (elapsed * 10));
loopDelay.disable();
const generatorUse = process.cpuUsage(generator0);
const generatorPct = (generatorUse.user + generatorUse.system) / 1000 / (elapsed * 10);
const rss = await Promise.all(pids.map(async (p) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024));

// Completion: each recording's chain from the digests the server acknowledged.
let verified = 0;
const completions: number[] = [];
for (let i = 0; i < sims.length; i += 20) {
  await Promise.all(sims.slice(i, i + 20).flatMap((sim) => sim.recs.map(async (rec) => {
    const chunks: { segment: number; seq: number; digest: Uint8Array }[] = [];
    for (let seq = 0; seq < rec.digests.length; seq++) {
      const digest = rec.digests[seq];
      // A chunk that failed (already counted) leaves a hole: that recording cannot complete.
      if (!digest) return fail('complete: a chunk failed earlier');
      chunks.push({ segment: 0, seq, digest });
    }
    const head = toHex(await chainHead((b) => Promise.resolve(sha(b)), rec.id, chunks));
    const c0 = performance.now();
    const r = await call('POST', `/api/recordings/${rec.id}/complete`, { segments: [{ segment: 0, chunks: chunks.length }], chainHead: head }, sim.cred);
    if (r?.ok) {
      verified++;
      completions.push(performance.now() - c0);
    } else fail(`complete ${r?.status}`);
    await r?.arrayBuffer();
  })));
}
for (const s of sims) s.ws?.close();

const extra = { processes: PROCESSES, candidates: CANDIDATES, store: S3 ? 's3rver' : 'local disk', seconds: SECONDS, protocol: V1 ? 'v1: a PUT per chunk' : PER_RECORDING ? `v2: ${PER_REQUEST} chunks per framed request, one per recording` : `v2: ${PER_REQUEST} chunks of each recording in one request of sections`, ...(NODE_ARGS.length ? { server_node_args: NODE_ARGS.join(' ') } : {}), phases: ALIGNED ? 'aligned: every batch in the same 2 s' : 'spread over the batch period', note: 'load generator on the same 2 cores' };
emit('load', 'chunk_ack_ms_p50', percentile(acks, 50), 'ms', { ...extra, of: 'each upload request, to its reply' });
const worst = [...slowAt].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([second, n]) => ({ second, over_100ms: n }));
emit('load', 'chunk_ack_ms_p99', percentile(acks, 99), 'ms', { ...extra, steady_from_s: STEADY_FROM_S, steady_p99: percentile(steadyAcks, 99), max_ms: Math.max(0, ...acks), over_100ms: acks.filter((ms) => ms > 100).length, requests: acks.length, seconds_with_slow: slowAt.size, worst_seconds: worst });
emit('load', 'complete_ms_p99', percentile(completions, 99), 'ms', { ...extra, of: 'each recording\'s completion, 20 candidates at a time' });
emit('load', 'chunks_acked', chunksAcked, 'count', extra);
emit('load', 'errors', errors, 'count', { ...extra, kinds: Object.fromEntries(errorKinds) });
emit('load', 'verified_recordings', verified, 'count', { ...extra, of: sims.length * 2 });
emit('load', 'requests_per_candidate_per_s', requests / Math.max(1, sims.length) / elapsed, 'req/s', extra);
emit('load', 'generator_cpu_pct', generatorPct, '%', extra);
// The histogram's samples are the timer's whole interval: less its 10 ms, what the loop added.
const beyond = (ns: number) => Math.max(0, ns / 1e6 - 10);
emit('load', 'generator_loop_delay_ms_p99', beyond(loopDelay.percentile(99)), 'ms', { ...extra, of: 'the load generator\'s event loop: how late a 10 ms timer ran (a reply waits there before it is timed)', max_ms: beyond(loopDelay.max), p50_ms: beyond(loopDelay.percentile(50)) });
servers.forEach((_, i) => {
  emit('load', 'server_cpu_pct', cpu[i] ?? 0, '%', { ...extra, process: i + 1 });
  emit('load', 'server_rss_mb', rss[i] ?? 0, 'MB', { ...extra, process: i + 1 });
});

for (const s of servers) await s.kill();
await lb?.stop();
await redis?.stop();
await s3?.close();
await pg?.stop();
await rm(dataDir, { recursive: true, force: true });
