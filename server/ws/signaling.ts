import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientMessage, WS_CLOSE, type ServerMessage } from '../../src/core/ws-schema.js';
import type { AccessClaims } from '../auth/tokens.js';
import type { Services } from '../services.js';

const AUTH_TIMEOUT_MS = 10_000;
const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * One WebSocket per client at /ws. The first message authenticates with the session token;
 * every message is validated. Later issues add chat, status and peer signaling here.
 */
export function attachSignaling(server: Server, services: Services): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/ws') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, services));
  });
  return wss;
}

function serveClient(ws: WebSocket, services: Services): void {
  let auth: AccessClaims | null = null;
  const send = (msg: ServerMessage) => ws.send(JSON.stringify(msg));
  const timer = setTimeout(() => ws.close(WS_CLOSE.unauthorized, 'authenticate first'), AUTH_TIMEOUT_MS);
  ws.on('close', () => clearTimeout(timer));
  // Messages are handled one at a time, in order: a ping right behind `auth` waits for it.
  let queue = Promise.resolve();
  ws.on('message', (data, isBinary) => {
    queue = queue.then(async () => {
      const msg = isBinary || !Buffer.isBuffer(data) ? null : safeParse(data.toString('utf8'));
      if (!msg) {
        send({ type: 'error', code: 'bad_request', message: 'messages are JSON objects with a known type' });
        ws.close(WS_CLOSE.badMessage, 'bad message');
        return;
      }
      if (!auth) {
        if (msg.type !== 'auth') return ws.close(WS_CLOSE.unauthorized, 'authenticate first');
        try {
          auth = await services.sessions.authenticate(msg.token);
        } catch {
          return ws.close(WS_CLOSE.unauthorized, 'invalid or ended session');
        }
        clearTimeout(timer);
        return send({ type: 'ready', role: auth.role, subject: auth.sub });
      }
      if (msg.type === 'ping') send({ type: 'pong', id: msg.id, serverNow: services.now() });
    }).catch(() => ws.close(1011, 'internal error'));
  });
}

function safeParse(text: string): ClientMessage | null {
  try {
    const parsed = ClientMessage.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
