import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** A WebSocket spoken by hand over TCP, so a test can send what no client library would. */
export interface RawWs {
  socket: net.Socket;
  /** Resolves with the close code the server sent (null if it just dropped the connection). */
  closed: Promise<number | null>;
  /** Text frames the server sent, as they arrived. */
  texts: string[];
  send(bytes: Uint8Array): void;
  end(): void;
}

export interface FrameOptions {
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  /** RSV1–3 bits, 0–7. */
  rsv?: number;
  mask?: boolean;
  /** Declare this length instead of the payload's (for truncated or absurd frames). */
  declaredLength?: bigint;
}

export function frame(o: FrameOptions): Uint8Array {
  const payload = typeof o.payload === 'string' ? Buffer.from(o.payload, 'utf8') : Buffer.from(o.payload ?? []);
  const length = o.declaredLength ?? BigInt(payload.length);
  const mask = o.mask ?? true;
  const head = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | o.opcode];
  const m = mask ? 0x80 : 0;
  if (length < 126n) head.push(m | Number(length));
  else if (length < 65536n) head.push(m | 126, Number(length >> 8n) & 0xff, Number(length) & 0xff);
  else {
    head.push(m | 127);
    for (let i = 7; i >= 0; i--) head.push(Number((length >> BigInt(i * 8)) & 0xffn));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

export const text = (s: string | Uint8Array) => frame({ opcode: 0x1, payload: s });

/** Opens a TCP connection and completes the WebSocket handshake on `path`. */
export function rawConnect(url: string, path = '/ws'): Promise<RawWs> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let closeCode: number | null = null;
    const texts: string[] = [];
    let settle!: (code: number | null) => void;
    const closed = new Promise<number | null>((r) => { settle = r; });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      settle(closeCode);
      if (!upgraded) reject(new Error('closed before the handshake completed'));
    });
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(head.split('\r\n')[0]));
          socket.destroy();
          return;
        }
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve({ socket, closed, texts, send: (b) => socket.write(b), end: () => socket.end() });
      }
      // Server frames are unmasked; lengths here stay small.
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1]! & 0x7f;
        let at = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          at = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          at = 10;
        }
        if (buf.length < at + len) return;
        const opcode = buf[0]! & 0x0f;
        const payload = buf.subarray(at, at + len);
        if (opcode === 0x1) texts.push(payload.toString('utf8'));
        if (opcode === 0x8) {
          closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          // As a browser does: answer the close and hang up.
          socket.end(frame({ opcode: 0x8, payload: payload.subarray(0, 2) }));
        }
        buf = buf.subarray(at + len);
      }
    });
  });
}
