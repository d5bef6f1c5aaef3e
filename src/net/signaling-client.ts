import { ServerMessage, WS_CLOSE, type ClientMessage } from '../core/ws-schema.js';

export type SocketState = 'connecting' | 'open' | 'closed' | 'ended';

export interface SignalingOptions {
  /** The current session token (refreshed by the API client); null when signed out. */
  token: () => string | null;
  /** Gets a fresh token after the server refused one (expired). */
  refresh: () => Promise<void>;
  onMessage: (msg: ServerMessage) => void;
  onState?: (state: SocketState) => void;
  url?: string;
  /** Platform object, replaceable in tests. */
  WebSocket?: typeof WebSocket;
}

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * The one WebSocket of a page (`/ws`): authenticates with the session token, validates every
 * message from the server, reconnects with backoff after any drop, authenticates again after a
 * token refresh, and stops for good when the session ended (signed in elsewhere, signed out).
 */
export class SignalingClient {
  private ws: WebSocket | null = null;
  private backoff = MIN_BACKOFF_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  /** This socket's address for peer signaling, from `ready`. */
  peer: string | null = null;
  state: SocketState = 'closed';

  constructor(private readonly opts: SignalingOptions) {}

  /** The link is back: try now, not after a backoff that grew during the outage (up to 30 s). */
  private readonly onOnline = () => {
    if (this.stopped || this.state !== 'closed') return;
    clearTimeout(this.timer);
    this.backoff = MIN_BACKOFF_MS;
    this.connect();
  };

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    this.ws?.close(1000, 'bye');
    this.ws = null;
    this.setState('closed');
  }

  /** Sends when open; false otherwise (the caller keeps what must not be lost elsewhere). */
  send(msg: ClientMessage): boolean {
    if (this.state !== 'open' || this.ws?.readyState !== 1) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** A refreshed token: the open socket authenticates again (it stays the same socket). */
  reauthenticate(): void {
    const token = this.opts.token();
    if (token && this.ws?.readyState === 1) this.ws.send(JSON.stringify({ type: 'auth', token } satisfies ClientMessage));
  }

  private connect(): void {
    if (this.stopped) return;
    const token = this.opts.token();
    if (!token) return this.retry();
    const Ws = this.opts.WebSocket ?? WebSocket;
    const url = this.opts.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    this.setState('connecting');
    const ws = new Ws(url);
    this.ws = ws;
    ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', token } satisfies ClientMessage)));
    ws.addEventListener('message', (e: MessageEvent<unknown>) => {
      const parsed = typeof e.data === 'string' ? ServerMessage.safeParse(safeJson(e.data)) : null;
      if (!parsed?.success) return;
      const msg = parsed.data;
      if (msg.type === 'ready') {
        this.peer = msg.peer;
        this.backoff = MIN_BACKOFF_MS;
        this.setState('open');
      }
      this.opts.onMessage(msg);
    });
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.peer = null;
      if (e.code === WS_CLOSE.sessionEnded) {
        this.stopped = true;
        this.setState('ended');
        return;
      }
      this.setState('closed');
      // An expired token: refresh, then connect again.
      if (e.code === WS_CLOSE.unauthorized) void this.opts.refresh().catch(() => undefined).finally(() => this.retry());
      else this.retry();
    });
  }

  private retry(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const wait = this.backoff * (0.75 + Math.random() / 2);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  private setState(state: SocketState): void {
    if (this.state === state) return;
    this.state = state;
    this.opts.onState?.(state);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
