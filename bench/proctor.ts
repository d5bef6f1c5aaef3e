import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { hashPassword } from '../server/auth/password.js';
import { startServer } from '../server/start-server.js';
import { ExamConfig } from '../src/core/exam-schema.js';
import { MIN, PROCTOR_PASSWORD, examFixture } from '../test/helpers/exam-fixture.js';
import { WEBRTC_ARGS } from '../test/helpers/browser.js';
import { walkToExam } from '../test/helpers/flow-e2e.js';
import { proctorLogin, tile, videoMoving } from '../test/helpers/proctor-e2e.js';
import { startCoturn } from '../test/helpers/coturn.js';
import { busiestThreads, cpuMsOf, descendants, threadTicks } from './lib/cpu.js';
import { startLinkProxy } from './lib/link-proxy.js';
import { emit, percentile, sleep } from './lib/setup.js';
// @ts-expect-error plain ESM helper shared with the test runner config
import { CHROMIUM_ARGS, FAKE_MEDIA_ARGS, NO_THROTTLE_ARGS, findChromium } from '../scripts/find-chromium.mjs';
import type { Totals } from './lib/live-sender-page.js';

/**
 * The proctor's live console (issue 12), on loopback with the real server and headless Chromium:
 * - signaling_relay_ms_p99: candidate socket → server → proctor socket;
 * - time_to_first_frame_ms_p50: a real candidate presses 【进入考试】 → the proctor's tile shows video;
 * - proctor_cpu_pct with 16 live tiles, and what each rung costs per candidate on the wire
 *   (tile_kbps, thumbnail_bps, events_only_bps) — 16 light candidates on one page
 *   (bench/lib/live-sender-page.ts);
 * - recording_bitrate_change_pct: a real candidate's camera recording while its live view steps
 *   down from video to events only (ICE relayed through coturn behind a throttling proxy).
 * `npm run bench -- proctor [--only relay,ttff,grid,recording] [--tiles N] [--explain]`
 */
const PROCTOR_MARK = '--invigil-bench-proctor';
const WINDOW_MS = 30_000;
const only = process.argv.indexOf('--only');
const tilesArg = process.argv.indexOf('--tiles');
/** Live tiles in the grid phase (16 by default). */
const TILES = tilesArg >= 0 ? Number(process.argv[tilesArg + 1]) : 16;
/** `--explain`: where the proctor's CPU goes in the grid phase (threads, then JavaScript), on stderr. */
const EXPLAIN = process.argv.includes('--explain');
const phases = new Set((only >= 0 ? process.argv[only + 1] ?? '' : 'relay,ttff,grid,recording').split(','));
/**
 * ICE's connectivity checks are in no byte counter of getStats(): sized here from what Chromium puts
 * in them (header, USERNAME, PRIORITY, ICE-CONTROLLING/-CONTROLLED, GOOG-NETWORK-INFO,
 * MESSAGE-INTEGRITY, FINGERPRINT; the answer: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY,
 * FINGERPRINT), with IPv4/UDP headers. An estimate, within a few bytes.
 */
const STUN_REQUEST_BYTES = 128;
const STUN_RESPONSE_BYTES = 92;
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'invigil-bench-proctor-'));
const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, log: () => {} });
const proctorHash = await hashPassword(PROCTOR_PASSWORD);
const startAt = Date.now() + 12 * MIN;
const exam = async (id: string, n: number, extra: Record<string, unknown> = {}) =>
  server.services.exams.put(ExamConfig.parse({ ...examFixture({ id, startAt, rooms: { A: n }, proctorHash }), ...extra }));

const launch = (args: string[]): Promise<Browser> => chromium.launch({
  executablePath: (findChromium as () => string)(), headless: true,
  args: [...(CHROMIUM_ARGS as string[]), ...WEBRTC_ARGS, ...(NO_THROTTLE_ARGS as string[]), ...args],
});
// The proctor's browser is its own process tree (so its CPU can be told apart) without a camera.
const proctorBrowser = await launch([PROCTOR_MARK]);
const candidates = await launch(FAKE_MEDIA_ARGS as string[]);

async function call(route: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${server.url}${route}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${route}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, unknown>;
}

/** A candidate signed in and entered through the API (as its device would); returns its token. */
async function entered(examId: string, n: number): Promise<string> {
  const login = await call('/api/session/candidate', { examId, candidateId: `cA-${n}`, ticketCode: `TA-${n}`, deviceId: `device-bench-${examId}-${n}-aaaaaaaa` });
  const token = login.token as string;
  await call('/api/candidate/lottery/draw', {}, token);
  for (const document of ['procedure', 'pledge', 'notice']) await call('/api/candidate/accept', { document }, token);
  await call('/api/candidate/enter', {}, token);
  return token;
}

function socket(token: string, onMessage: (msg: Record<string, unknown>) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
  ws.on('message', (d) => onMessage(JSON.parse((d as Buffer).toString()) as Record<string, unknown>));
  return new Promise((resolve) => ws.on('open', () => {
    ws.send(JSON.stringify({ type: 'auth', token }));
    resolve(ws);
  }));
}

async function proctorPage(examId: string, width: number, height: number): Promise<Page> {
  const page = await (await proctorBrowser.newContext({ viewport: { width, height } })).newPage();
  await proctorLogin(page, server.url, examId, 'p1', PROCTOR_PASSWORD);
  return page;
}

try {
  // 1. Signaling relay: 200 signals from a candidate's socket to the proctor's, 20 a second.
  if (phases.has('relay')) {
    await exam('bench-relay', 1);
    const token = await entered('bench-relay', 1);
    const p = await call('/api/session/proctor', { examId: 'bench-relay', proctorId: 'p1', password: PROCTOR_PASSWORD, deviceId: 'device-bench-proctor-aaaaaaaa' });
    const received = new Map<number, number>();
    let watched: (w: { from: string; link: string }) => void = () => undefined;
    const watch = new Promise<{ from: string; link: string }>((resolve) => { watched = resolve; });
    const cand = await socket(token, (msg) => { if (msg.type === 'watch') watched({ from: msg.from as string, link: msg.link as string }); });
    const proctor = await socket(p.token as string, (msg) => {
      if (msg.type === 'ready') proctor.send(JSON.stringify({ type: 'watch', candidate: 'cA-1', link: 'bench-link-1', wish: { quality: 'low', screen: false } }));
      if (msg.type === 'signal') {
        const seq = Number(/seq(\d+)/.exec(JSON.stringify(msg.data))?.[1]);
        received.set(seq, performance.now());
      }
    });
    const { from, link } = await watch;
    await sleep(500);
    const sent = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      sent.set(i, performance.now());
      cand.send(JSON.stringify({ type: 'signal', to: from, link, data: { type: 'candidate', candidate: { candidate: `candidate:seq${i} 1 udp 2122260223 127.0.0.1 5000${i % 10} typ host`, sdpMid: '0', sdpMLineIndex: 0 } } }));
      await sleep(50);
    }
    await sleep(1000);
    const ms = [...sent].flatMap(([i, at]) => { const got = received.get(i); return got === undefined ? [] : [got - at]; });
    emit('proctor', 'signaling_relay_ms_p99', percentile(ms, 99), 'ms', { p50: percentile(ms, 50), sent: sent.size, received: ms.length, goal: '<= 50' });
    cand.close();
    proctor.close();
  }

  // 2. Time to first frame: five real candidate pages, one after another.
  if (phases.has('ttff')) {
    await exam('bench-ttff', 5);
    const proctor = await proctorPage('bench-ttff', 1280, 800);
    const times: number[] = [];
    for (let n = 1; n <= 5; n++) {
      const context = await candidates.newContext();
      const page = await context.newPage();
      // From the moment 【进入考试】 is pressed (the next thing walkToExam does after this step).
      let enteredAt = 0;
      let firstFrame: Promise<number> = Promise.resolve(Infinity);
      await walkToExam(page, server.url, `cA-${n}`, `TA-${n}`, {
        examId: 'bench-ttff',
        onStep: (step) => {
          if (step === 'enter') {
            enteredAt = Date.now();
            firstFrame = videoMoving(proctor, `cA-${n}`, 'video', 30_000).then((r) => enteredAt + r.readyMs);
          }
          return Promise.resolve();
        },
      });
      const shownAt = await firstFrame;
      times.push(shownAt - enteredAt);
      await context.close();
    }
    emit('proctor', 'time_to_first_frame_ms_p50', percentile(times, 50), 'ms', { samples: times.map(Math.round), max: Math.max(...times), goal: '<= 2000' });
    await proctor.context().close();
  }

  // 3. Sixteen live tiles: the proctor's CPU, and what each rung costs per candidate.
  if (phases.has('grid')) {
    await exam('bench-grid', TILES);
    const { outputFiles } = await build({ entryPoints: [path.join(import.meta.dirname, 'lib/live-sender-page.ts')], bundle: true, format: 'iife', write: false, target: 'chrome120' });
    const code = outputFiles[0]?.text;
    if (!code) throw new Error('the sender page did not bundle');
    const senders = await candidates.newPage();
    await senders.goto(`${server.url}/healthz`);
    await senders.evaluate(code);
    for (let n = 1; n <= TILES; n++) await senders.evaluate(`benchSender.start(${JSON.stringify(await entered('bench-grid', n))})`);
    const proctor = await proctorPage('bench-grid', 1920, 1080);
    // Every candidate's link up, then held on the video rung: on this one machine sixteen senders
    // and the proctor share two cores, and the ladder would (rightly) step starved senders down.
    await senders.waitForFunction((n) => (globalThis as unknown as { benchSender: { connected(): number } }).benchSender.connected() >= n, TILES, { timeout: 60_000 });
    await senders.evaluate("benchSender.pin('video')");
    let live = 0;
    const still: Record<string, unknown> = {};
    for (let i = 1; i <= TILES; i++) {
      const m = await videoMoving(proctor, `cA-${i}`, 'video', 30_000);
      if (m.frames >= 5 && m.differ) live++;
      else still[`cA-${i}`] = { ...m, rung: await tile(proctor, `cA-${i}`).getAttribute('data-rung') };
    }
    const totals = () => senders.evaluate<Totals>('benchSender.totals()');
    /** Bits a second per candidate over a window: the peer link (payload plus IPv4/UDP headers) and the socket. */
    const perCandidate = async (ms: number) => {
      const a = await totals();
      const t0 = performance.now();
      await sleep(ms);
      const b = await totals();
      const s = (performance.now() - t0) / 1000;
      const ice = { requests: b.iceRequests - a.iceRequests, responses: b.iceResponses - a.iceResponses };
      const peer = (b.transportBytes - a.transportBytes) + 28 * (b.transportPackets - a.transportPackets)
        + STUN_REQUEST_BYTES * ice.requests + STUN_RESPONSE_BYTES * ice.responses;
      const packets = b.transportPackets - a.transportPackets + ice.requests + ice.responses;
      return {
        bps: (8 * (peer + b.wsBytes - a.wsBytes)) / s / TILES, videoKbps: (8 * (b.videoBytes - a.videoBytes)) / s / TILES / 1000, socketBps: (8 * (b.wsBytes - a.wsBytes)) / s / TILES, rung: b.rung,
        // What the peer link sends per candidate with no media: how many packets, how large (with IPv4/UDP headers).
        peerPacketsPerS: packets / s / TILES, peerBytesPerPacket: packets ? peer / packets : 0, icePacketsPerS: (ice.requests + ice.responses) / s / TILES,
      };
    };
    const cdp = EXPLAIN ? await proctor.context().newCDPSession(proctor) : null;
    if (cdp) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
    const pids = descendants(PROCTOR_MARK);
    const cpu0 = cpuMsOf(pids);
    const threads0 = threadTicks(pids);
    const t0 = performance.now();
    const video = await perCandidate(WINDOW_MS);
    const seconds = (performance.now() - t0) / 1000;
    const cpuPct = (100 * (cpuMsOf(pids) - cpu0)) / (seconds * 1000);
    if (cdp) {
      // Where the proctor's CPU goes: its busiest threads (the profiler's own among them), then the page's JavaScript.
      for (const line of busiestThreads(threads0, threadTicks(pids), seconds)) console.error(line);
      const { profile } = await cdp.send('Profiler.stop');
      const self = new Map<string, number>();
      for (const n of profile.nodes) {
        const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0));
      }
      const samples = profile.samples?.length || 1;
      for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.error(`${((100 * hits) / samples).toFixed(1)}% of the page's main thread: ${key}`);
    }
    emit('proctor', 'proctor_cpu_pct', cpuPct, '% of one core', {
      tiles: TILES, live_tiles_moving: live, not_moving: still, tile_fps: 5,
      viewport: '1920x1080', window_s: WINDOW_MS / 1000, machine_load_1m: os.loadavg()[0], cores: os.cpus().length, goal: '<= 60',
    });
    emit('proctor', 'tile_kbps', video.bps / 1000, 'kbit/s', { rung: video.rung, video_only_kbps: Math.round(video.videoKbps * 10) / 10, includes: 'video+audio+RTCP+ICE, IPv4/UDP headers, heartbeats', goal: '<= 150' });

    await senders.evaluate("benchSender.pin('thumbnail')");
    await tile(proctor, `cA-${TILES}`).locator('img').waitFor({ timeout: 20_000 });
    await sleep(5_000);
    const thumbs = await perCandidate(WINDOW_MS);
    const shown = await proctor.locator('article[data-rung="thumbnail"] img').count();
    emit('proctor', 'thumbnail_bps', thumbs.bps, 'bit/s', { rung: thumbs.rung, tiles_showing_thumbnail: shown, socket_bps: Math.round(thumbs.socketBps), goal: '<= 8000' });

    await senders.evaluate("benchSender.pin('events')");
    await sleep(5_000);
    const events = await perCandidate(WINDOW_MS);
    emit('proctor', 'events_only_bps', events.bps, 'bit/s', { rung: events.rung, socket_bps: Math.round(events.socketBps), peer_bps: Math.round(events.bps - events.socketBps),
      peer_packets_per_s: Math.round(events.peerPacketsPerS * 100) / 100, ice_packets_per_s: Math.round(events.icePacketsPerS * 100) / 100, peer_bytes_per_packet: Math.round(events.peerBytesPerPacket), goal: '<= 1000' });
    await proctor.context().close();
    await senders.close();
  }

  // 4. The recording while the live view steps down: a real candidate relayed through coturn.
  if (phases.has('recording')) {
    const turn = await startCoturn();
    const proxy = await startLinkProxy(new URL(`http://127.0.0.1:${turn.port}`));
    try {
      await exam('bench-rec', 1, {
        iceServers: [{ urls: `turn:127.0.0.1:${new URL(proxy.url).port}?transport=tcp`, username: turn.username, credential: turn.credential }],
        iceTransportPolicy: 'relay',
      });
      const proctor = await proctorPage('bench-rec', 1280, 800);
      const context = await candidates.newContext();
      // Watches the page's own MediaRecorders from outside: every chunk's size and time.
      await context.addInitScript(`(() => {
        const Original = window.MediaRecorder;
        window.__chunks = [];
        window.MediaRecorder = class extends Original {
          constructor(stream, opts) {
            super(stream, opts);
            const label = (stream.getVideoTracks()[0] || stream.getAudioTracks()[0] || {}).label || '';
            this.addEventListener('dataavailable', (e) => window.__chunks.push({ label, at: performance.now(), bytes: e.data.size, bps: this.videoBitsPerSecond }));
          }
        };
      })()`);
      const page = await context.newPage();
      await walkToExam(page, server.url, 'cA-1', 'TA-1', { examId: 'bench-rec' });
      await videoMoving(proctor, 'cA-1', 'video', 30_000);
      type Chunk = { label: string; at: number; bytes: number; bps: number };
      const camera = async (from: number, to: number) => {
        const chunks = (await page.evaluate<Chunk[]>('window.__chunks')).filter((c) => !/screen|window|tab/i.test(c.label) && c.at > from && c.at <= to);
        return { bps: (8 * chunks.reduce((n, c) => n + c.bytes, 0)) / ((to - from) / 1000), recorderBps: [...new Set(chunks.map((c) => c.bps))] };
      };
      const now = () => page.evaluate<number>('performance.now()');
      const a0 = await now();
      await sleep(WINDOW_MS);
      const a1 = await now();
      proxy.setUploadLimit(2_000);
      const down0 = Date.now();
      while ((await tile(proctor, 'cA-1').getAttribute('data-rung')) !== 'events' && Date.now() - down0 < 90_000) await sleep(500);
      const rung = await tile(proctor, 'cA-1').getAttribute('data-rung');
      const b0 = await now();
      await sleep(WINDOW_MS);
      const b1 = await now();
      const before = await camera(a0, a1);
      const after = await camera(b0, b1);
      // The same window split in two halves: how much the recording's rate varies on its own.
      const h1 = await camera(a0, (a0 + a1) / 2);
      const h2 = await camera((a0 + a1) / 2, a1);
      emit('proctor', 'recording_bitrate_change_pct', (100 * (after.bps - before.bps)) / before.bps, '%', {
        live_rung_before: 'video', live_rung_after: rung, recording_kbps_before: Math.round(before.bps / 1000), recording_kbps_after: Math.round(after.bps / 1000),
        recorder_target_bps_before: before.recorderBps, recorder_target_bps_after: after.recorderBps,
        noise_pct_same_rung: Math.round((1000 * (h2.bps - h1.bps)) / h1.bps) / 10, goal: '0 (within noise)',
      });
      await context.close();
      await proctor.context().close();
    } finally {
      await proxy.close();
      await turn.stop();
    }
  }
} finally {
  await proctorBrowser.close();
  await candidates.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}
