import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData } from 'ws';
import { ClientMessage, WS_CLOSE, type ServerMessage } from '../../src/core/ws-schema.js';
import type { Services } from '../services.js';
import { DEFAULT_SOCKET_LIMITS, SocketRegistry, type Conn, type SocketLimits } from './socket-registry.js';
import { TokenBucket } from './token-bucket.js';
import { RoomHub } from './room-hub.js';
import { randomBytes } from 'node:crypto';

const AUTH_TIMEOUT_MS = 10_000;
const MAX_MESSAGE_BYTES = 64 * 1024;
/** A client that does not read its replies is dropped before its backlog costs the server memory. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface SignalingOptions extends Partial<SocketLimits> {
  /** How often the server pings each socket; one missed pong and the socket is dropped. */
  heartbeatMs?: number;
  /** Messages per second a socket may send on average, and in a burst. */
  messagesPerSecond?: number;
  messageBurst?: number;
}

export interface Signaling {
  readonly wss: WebSocketServer;
  readonly registry: SocketRegistry;
  close(): void;
}

/** How often the server checks who fell silent (presence). */
const PRESENCE_SWEEP_MS = 1_000;

/**
 * One WebSocket per client at /ws. The first message authenticates with the session token;
 * every message is validated. A bad frame, a flood or a dead peer closes that one socket — never
 * the process: every emitter here has an 'error' listener.
 */
export function attachSignaling(server: Server, services: Services, opts: SignalingOptions = {}): Signaling {
  const registry = new SocketRegistry({
    maxPendingPerAddress: opts.maxPendingPerAddress ?? DEFAULT_SOCKET_LIMITS.maxPendingPerAddress,
    maxPerAddress: opts.maxPerAddress ?? DEFAULT_SOCKET_LIMITS.maxPerAddress,
    maxPerSubject: opts.maxPerSubject ?? DEFAULT_SOCKET_LIMITS.maxPerSubject,
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  wss.on('error', (err) => services.log(`ws: server error: ${err.message}`));
  const hub = new RoomHub(services, registry, send);
  let seq = 0;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const address = req.socket.remoteAddress ?? 'unknown';
    if ((req.url ?? '').split('?')[0] !== '/ws') return refuse(socket, 404, 'Not Found');
    if (!registry.hasRoomFor(address)) return refuse(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, peer: `p-${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`, address, openedAt: ++seq, auth: null, alive: true };
      for (const old of registry.add(conn)) old.ws.close(WS_CLOSE.tooMany, 'too many connections waiting');
      serveClient(conn, registry, hub, services, opts);
    });
  });

  const endHere = (sid: string, reason: string) => {
    for (const conn of registry.ofSession(sid)) {
      send(conn, { type: 'session-ended', reason });
      conn.ws.close(WS_CLOSE.sessionEnded, 'session ended');
    }
  };
  // Its sockets may be held by any process: each closes its own.
  const offEnded = services.sessions.onEnded((sid, reason) => {
    endHere(sid, reason);
    services.bus.publish({ t: 'session-ended', sid, reason });
  });
  const offBus = services.bus.on((m) => {
    if (m.t === 'session-ended') endHere(m.sid, m.reason);
  });

  const heartbeat = setInterval(() => {
    for (const conn of registry.conns()) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }, opts.heartbeatMs ?? 15_000);
  heartbeat.unref();
  const sweep = setInterval(() => void services.presence.sweep().catch((err: unknown) => services.log(`presence sweep failed: ${String(err)}`)), PRESENCE_SWEEP_MS);
  sweep.unref();

  return {
    wss,
    registry,
    close() {
      clearInterval(heartbeat);
      clearInterval(sweep);
      hub.close();
      offEnded();
      offBus();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function serveClient(conn: Conn, registry: SocketRegistry, hub: RoomHub, services: Services, opts: SignalingOptions): void {
  const { ws } = conn;
  let bucket = new TokenBucket(opts.messagesPerSecond ?? 20, opts.messageBurst ?? 100);
  const timer = setTimeout(() => ws.close(WS_CLOSE.unauthorized, 'authenticate first'), AUTH_TIMEOUT_MS);
  // Frame-level faults (too big, bad opcode or UTF-8, unmasked, RSV bits): ws has already sent
  // the matching close code (1009, 1002, 1007); the error only needs a listener.
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    clearTimeout(timer);
    registry.remove(conn);
    hub.left(conn);
  });
  ws.on('pong', () => { conn.alive = true; });
  // Messages are handled one at a time, in order: a ping right behind `auth` waits for it.
  let queue = Promise.resolve();
  ws.on('message', (data: RawData, isBinary: boolean) => {
    conn.alive = true;
    if (!bucket.take(performance.now())) {
      ws.close(WS_CLOSE.policy, 'too many messages');
      return;
    }
    queue = queue.then(async () => {
      if (ws.readyState !== ws.OPEN) return;
      const msg = isBinary || !Buffer.isBuffer(data) ? null : safeParse(data.toString('utf8'));
      if (!msg) {
        send(conn, { type: 'error', code: 'bad_request', message: 'messages are JSON objects with a known type' });
        ws.close(WS_CLOSE.badMessage, 'bad message');
        return;
      }
      if (msg.type === 'auth') {
        let claims;
        try {
          claims = await services.sessions.authenticate(msg.token);
        } catch {
          return ws.close(WS_CLOSE.unauthorized, 'invalid or ended session');
        }
        // A refreshed token may re-authenticate the socket, but not switch it to another user.
        if (conn.auth && (conn.auth.sid !== claims.sid)) return ws.close(WS_CLOSE.unauthorized, 'another session');
        clearTimeout(timer);
        const first = conn.auth === null;
        // A proctor's console signals for many candidates at once (16 tiles: offers, answers, ICE candidates).
        if (first && claims.role === 'proctor') bucket = new TokenBucket(5 * (opts.messagesPerSecond ?? 20), 10 * (opts.messageBurst ?? 100));
        for (const old of registry.authenticated(conn, claims)) old.ws.close(WS_CLOSE.replaced, 'replaced by a newer connection');
        send(conn, { type: 'ready', role: claims.role, subject: claims.sub, peer: conn.peer });
        if (first) hub.joined(conn);
        return;
      }
      if (!conn.auth) return ws.close(WS_CLOSE.unauthorized, 'authenticate first');
      if (msg.type === 'ping') return send(conn, { type: 'pong', id: msg.id, serverNow: services.now() });
      await hub.handle(conn, msg);
    }).catch((err: unknown) => {
      services.log(`ws: message failed: ${err instanceof Error ? err.message : String(err)}`);
      ws.close(1011, 'internal error');
    });
  });
}

function send({ ws }: Conn, msg: ServerMessage): void {
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    ws.terminate();
    return;
  }
  ws.send(JSON.stringify(msg));
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function safeParse(text: string): ClientMessage | null {
  try {
    const parsed = ClientMessage.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
