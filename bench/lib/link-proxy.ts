import net from 'node:net';

export interface LinkProxy {
  url: string;
  /** Bytes that went from the browser towards the server (requests and bodies). */
  upstreamBytes(): number;
  /** Of those, HTTP request lines and headers (a read that starts a request, up to its blank line). */
  headerBytes(): number;
  requests(): number;
  /** Limits the browser → server direction to this many bits per second (null: unlimited). */
  setUploadLimit(bitsPerSecond: number | null): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback between the browser and the server: counts what the browser sends and
 * can throttle it, for the page and its service worker alike (CDP throttling sees only the page).
 */
export async function startLinkProxy(target: URL): Promise<LinkProxy> {
  let sent = 0;
  let headers = 0;
  let requests = 0;
  let limit: number | null = null;
  let budgetAt = Date.now();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (data: Buffer) => {
      sent += data.length;
      if (/^(GET|PUT|POST|DELETE|HEAD|OPTIONS|PATCH) /.test(data.subarray(0, 8).toString('latin1'))) {
        const end = data.indexOf('\r\n\r\n');
        if (end >= 0) {
          headers += end + 4;
          requests++;
        }
      }
      if (limit === null) {
        upstream.write(data);
        return;
      }
      // Token bucket: this chunk may leave only when the link would have carried it.
      const now = Date.now();
      budgetAt = Math.max(budgetAt, now) + (data.length * 8 * 1000) / limit;
      client.pause();
      setTimeout(() => {
        upstream.write(data);
        client.resume();
      }, budgetAt - now);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    upstreamBytes: () => sent,
    headerBytes: () => headers,
    requests: () => requests,
    setUploadLimit(bps) {
      limit = bps;
      budgetAt = Date.now();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
