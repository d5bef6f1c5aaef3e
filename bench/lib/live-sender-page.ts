// A lightweight candidate for the proctor benchmark: the app's own LiveSender and SignalingClient
// (the code a candidate's page runs after entry) on a fake camera, without the recorder, the face
// model and the rest of the page; sixteen of them on one page share one fake camera at the video
// rung's own size (180p, 10 fps: what the proctor receives anyway) — capturing sixteen cameras
// alone took most of a core here — so they fit beside the proctor on one machine.
// Bundled by bench/proctor.ts with esbuild and evaluated in a page of the server's origin.
// First, as in the app (src/main.ts): zod without eval, which the page's policy forbids.
import '../../src/core/zod-jitless.js';
import { LiveSender } from '../../src/candidate/live-sender.js';
import type { LadderState, Rung } from '../../src/core/ladder.js';
import { beatWith, type SentState } from '../../src/core/heartbeat.js';
import { HEARTBEAT_MS, type ClientMessage } from '../../src/core/ws-schema.js';
import { SignalingClient } from '../../src/net/signaling-client.js';

/** What the bench pokes: LiveSender's own ladder, held at one rung (its sampler stopped). */
interface Pinnable { ladder: LadderState; sampler: ReturnType<typeof setInterval>; apply(): Promise<void> }

/** What `benchSender.totals()` returns (bench/proctor.ts reads it across the page boundary). */
export interface Totals { wsBytes: number; transportBytes: number; transportPackets: number; iceRequests: number; iceResponses: number; videoBytes: number; rung: Rung | null }

const senders = new Map<string, LiveSender>();
let wsBytes = 0;

/** One fake camera for every candidate of the page: each live link still encodes its own clone. */
let cameraOnce: Promise<MediaStream> | null = null;

/** One more candidate on this page: its own socket, heartbeats and a live link per watching proctor. */
async function start(token: string): Promise<void> {
  cameraOnce ??= navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 180, frameRate: 10 }, audio: true });
  const camera = await cameraOnce;
  const client: SignalingClient = new SignalingClient({
    token: () => token,
    refresh: () => Promise.resolve(),
    onMessage: (msg) => {
      if (msg.type === 'watch' && !senders.has(msg.link)) {
        senders.set(msg.link, new LiveSender({
          wish: msg.wish, camera, screen: null, iceServers: [],
          signal: (data) => send({ type: 'signal', to: msg.from, link: msg.link, data }),
          ping: (id) => send({ type: 'ping', id }),
          changed: () => undefined,
        }));
      } else if (msg.type === 'signal') void senders.get(msg.link)?.signal(msg.data);
      else if (msg.type === 'pong') for (const s of senders.values()) s.pong(msg.id);
    },
  });
  const send = (msg: ClientMessage): boolean => {
    // Bytes on the wire: the message, the client frame's header with its mask, TCP/IP headers.
    const n = new TextEncoder().encode(JSON.stringify(msg)).length;
    if (!client.send(msg)) return false;
    wsBytes += n + (n < 126 ? 6 : 8) + 40;
    return true;
  };
  // As the app's LiveController beats: camera and screen recordings (ids as long as the app's), their bytes growing.
  const [cameraId, screenId] = [crypto.randomUUID(), crypto.randomUUID()];
  const t0 = Date.now();
  let sent: SentState | null = null;
  const beat = () => {
    const bytes = Math.round((Date.now() - t0) * 37.5); // ≈ 300 kbit/s each
    const b = beatWith({
      step: 'exam', recording: true, recordings: [{ id: cameraId, kind: 'camera', bytes }, { id: screenId, kind: 'screen', bytes }],
      watchedBy: [...senders.values()].filter((s) => s.watching).length,
    }, sent, Date.now());
    if (send({ type: 'heartbeat', ...(b.state ? { state: b.state } : {}) })) sent = b.sent;
  };
  client.start();
  setInterval(beat, HEARTBEAT_MS);
}

/** Holds every link at `rung` (the benchmark measures what a rung costs, not when it is chosen). */
async function pin(rung: Rung): Promise<void> {
  for (const sender of senders.values()) {
    const s = sender as unknown as Pinnable;
    if (typeof s.apply !== 'function' || !(s.ladder as LadderState | undefined)) throw new Error('LiveSender changed: update bench/lib/live-sender-page.ts');
    clearInterval(s.sampler);
    s.ladder = { ...s.ladder, rung };
    await s.apply();
  }
}

async function totals(): Promise<Totals> {
  const t: Totals = { wsBytes, transportBytes: 0, transportPackets: 0, iceRequests: 0, iceResponses: 0, videoBytes: 0, rung: null };
  for (const sender of senders.values()) {
    t.rung = sender.rung;
    // On the events rung there is no peer link: only the socket's heartbeats and pings.
    if (!sender.peer) continue;
    (await sender.peer.pc.getStats()).forEach((s: RTCStats & { bytesSent?: number; packetsSent?: number; kind?: string; requestsSent?: number; responsesSent?: number }) => {
      if (s.type === 'transport') {
        t.transportBytes += s.bytesSent ?? 0;
        t.transportPackets += s.packetsSent ?? 0;
      }
      // ICE's checks and answers are in no byte counter: counted here, sized in bench/proctor.ts.
      if (s.type === 'candidate-pair') {
        t.iceRequests += s.requestsSent ?? 0;
        t.iceResponses += s.responsesSent ?? 0;
      }
      if (s.type === 'outbound-rtp' && s.kind === 'video') t.videoBytes += s.bytesSent ?? 0;
    });
  }
  return t;
}

Object.assign(globalThis, { benchSender: { start, pin, totals, links: () => senders.size, connected: () => [...senders.values()].filter((s) => s.peer?.connected).length } });
