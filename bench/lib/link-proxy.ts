import net from 'node:net';

export interface Traffic {
  bytes: number;
  headerBytes: number;
  requests: number;
  /** Handed over by the browser but still queued behind the link when a cut dropped it (not in `bytes`). */
  droppedBytes: number;
}

export interface LinkProxy {
  url: string;
  /** Everything the browser sent that crossed the link towards the server. */
  upstream(): Traffic;
  /** Of that, the recording uploads (requests to `/api/recordings/…`, or `uploadPath`): request lines, headers and bodies. */
  uploads(): Traffic;
  /** Each request so far: when its head passed (ms since the epoch), its request line, the head's and the body's bytes across, and the body's announced length. */
  requestLog(): LoggedRequest[];
  /** Spans over 20 ms while the throttled link carried nothing (it was waiting on the device or the server). */
  idleLog(): { at: number; ms: number }[];
  /** Requests so far by method and path (ids and numbers masked). */
  paths(): Map<string, number>;
  /** Limits the browser → server direction to this many bits per second (null: unlimited). */
  setUploadLimit(bitsPerSecond: number | null): void;
  /** Resolves once a recording upload's body is partly through the link (mid-body). */
  midBody(timeoutMs?: number): Promise<void>;
  /** Severs every open connection at once, as a dropped link does (bodies in flight are cut). */
  cut(): void;
  /** Delays everything the server sends by this long: the round trip of a distant link (0: none). */
  setRoundTrip(ms: number): void;
  /** The link down (every connection cut, new ones refused) or back up. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** The link's unit: a cut loses at most this much that was not yet across (a few TCP segments). */
const SLICE = 4_096;

export interface LoggedRequest { at: number; line: string; headBytes: number; bodyBytes: number; length: number; repliedAt?: number }

interface Conn { head: Buffer; remaining: number; upload: boolean; bodyStarted: boolean; request: LoggedRequest | null }

/**
 * A TCP proxy on loopback between the browser and the server: parses the browser's HTTP/1.1
 * requests to count what each kind costs, can throttle them, and can cut live connections —
 * for the page and its service worker alike (CDP throttling sees only the page).
 */
export async function startLinkProxy(target: URL, uploadPath = /^\S+ \/api\/recordings\//): Promise<LinkProxy> {
  const all: Traffic = { bytes: 0, headerBytes: 0, requests: 0, droppedBytes: 0 };
  const up: Traffic = { bytes: 0, headerBytes: 0, requests: 0, droppedBytes: 0 };
  let limit: number | null = null;
  let roundTripMs = 0;
  const byPath = new Map<string, number>();
  const log: LoggedRequest[] = [];
  const idle: { at: number; ms: number }[] = [];
  let budgetAt = Date.now();
  const sockets = new Set<net.Socket>();
  const conns = new Set<Conn>();
  /** Reads held back by the limit, each released when its time comes or when the limit lifts. */
  const held = new Set<{ timer: NodeJS.Timeout; release: () => void; dropped: boolean }>();

  /** Counts one read from the browser against the requests it carries. */
  function account(c: Conn, data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      if (c.remaining > 0) {
        const n = Math.min(c.remaining, data.length - at);
        c.remaining -= n;
        c.bodyStarted = true;
        if (c.request) c.request.bodyBytes += n;
        if (c.upload) up.bytes += n;
        at += n;
        continue;
      }
      c.head = Buffer.concat([c.head, data.subarray(at)]);
      const end = c.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = c.head.subarray(0, end + 4);
      const text = head.toString('latin1');
      const consumed = head.length - (c.head.length - (data.length - at));
      const line = text.slice(0, text.indexOf('\r\n'));
      c.upload = uploadPath.test(line);
      const what = line.split(' ').slice(0, 2).join(' ').replace(/\?.*$/, '').replace(/\/[^/]*\d[^/]*/g, '/:n');
      byPath.set(what, (byPath.get(what) ?? 0) + 1);
      c.remaining = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0);
      c.request = { at: Date.now(), line, headBytes: head.length, bodyBytes: 0, length: c.remaining };
      log.push(c.request);
      c.bodyStarted = false;
      all.headerBytes += head.length;
      all.requests++;
      if (c.upload) {
        up.headerBytes += head.length;
        up.bytes += head.length;
        up.requests++;
      }
      c.head = Buffer.alloc(0);
      at += consumed;
    }
  }

  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    const conn: Conn = { head: Buffer.alloc(0), remaining: 0, upload: false, bodyStarted: false, request: null };
    sockets.add(client).add(upstream);
    conns.add(conn);
    // Counted as it crosses the link (is written towards the server), not as the browser hands
    // it over: what a cut leaves in the proxy's queue never left the device on a real link.
    const pass = (data: Buffer) => {
      all.bytes += data.length;
      account(conn, data);
      if (!upstream.destroyed) upstream.write(data);
    };
    client.on('data', (data: Buffer) => {
      if (limit === null) {
        pass(data);
        return;
      }
      // Token bucket, a slice at a time: each leaves when the link would have carried it, so a
      // cut loses at most the slice on its way (the rest was either across or still on the device).
      client.pause();
      const now = Date.now();
      if (now - budgetAt > 20) idle.push({ at: budgetAt, ms: now - budgetAt });
      let pending = 0;
      for (let at = 0; at < data.length; at += SLICE) {
        const slice = data.subarray(at, at + SLICE);
        budgetAt = Math.max(budgetAt, now) + (slice.length * 8 * 1000) / limit;
        pending++;
        const entry = {
          release: () => {
            clearTimeout(entry.timer);
            held.delete(entry);
            if (!entry.dropped) pass(slice);
            else {
              all.droppedBytes += slice.length;
              if (conn.upload) up.droppedBytes += slice.length;
            }
            if (--pending === 0) client.resume();
          },
          dropped: false,
          timer: setTimeout(() => entry.release(), budgetAt - now),
        };
        held.add(entry);
      }
    });
    // Equal delays keep the order (timers of one delay fire in the order they were set).
    upstream.on('data', (d: Buffer) => {
      if (conn.request && conn.request.repliedAt === undefined) conn.request.repliedAt = Date.now() + roundTripMs;
      if (roundTripMs === 0) client.write(d);
      else setTimeout(() => client.destroyed || client.write(d), roundTripMs);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      conns.delete(conn);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const cut = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    // What was queued behind the link is gone with the connections that sent it.
    for (const h of [...held]) {
      h.dropped = true;
      h.release();
    }
  };
  return {
    url: `http://127.0.0.1:${port}`,
    upstream: () => ({ ...all }),
    uploads: () => ({ ...up }),
    paths: () => new Map(byPath),
    requestLog: () => log.map((r) => ({ ...r })),
    idleLog: () => idle.map((i) => ({ ...i })),
    setUploadLimit(bps) {
      limit = bps;
      budgetAt = Date.now();
      // A lifted limit lets what it held go at once (a faster link drains the queue).
      if (bps === null) for (const h of [...held]) h.release();
    },
    async midBody(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (![...conns].some((c) => c.upload && c.bodyStarted && c.remaining > 0)) {
        if (Date.now() > until) throw new Error('no upload body in flight');
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    cut,
    setRoundTrip(ms) {
      roundTripMs = ms;
    },
    setDown(on) {
      down = on;
      if (on) cut();
    },
    async close() {
      for (const h of held) clearTimeout(h.timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * One dropped link, as a device meets it: while an upload body is on its way the link goes down
 * (every connection cut, new ones refused — so the browser's own resend of the request on a fresh
 * connection fails too, as it would with no network), the device notices it is offline, and after
 * `ms` the link returns, then the device sees it. (Cutting the connections but accepting new ones
 * let Chromium resend a whole cut body at once on a new connection: that measured the proxy, not
 * a lost link.)
 */
export async function dropLink(link: LinkProxy, device: { setOffline(offline: boolean): Promise<void> }, ms: number): Promise<void> {
  await link.midBody();
  link.setDown(true);
  await device.setOffline(true);
  await new Promise((r) => setTimeout(r, ms));
  link.setDown(false);
  await device.setOffline(false);
}
