/* eslint-disable @typescript-eslint/no-unsafe-return -- the server's messages are plain JSON here; each test asserts the shape it needs */
import { WebSocket } from 'ws';

/** A signed-in socket to a test server: every message kept, `next` waits for one of a type. */
export interface WsClient { ws: WebSocket; peer: string; got: any[]; next(type: string, where?: (m: any) => boolean): Promise<any>; send(m: object): void }

export async function connectWs(serverUrl: string, token: string): Promise<WsClient> {
  const ws = new WebSocket(`${serverUrl.replace('http', 'ws')}/ws`);
  const got: any[] = [];
  const waiting: { type: string; where: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse((d as Buffer).toString());
    got.push(m);
    for (const w of [...waiting]) if (w.type === m.type && w.where(m)) { waiting.splice(waiting.indexOf(w), 1); w.resolve(m); }
  });
  await new Promise((r) => ws.on('open', r));
  const c: WsClient = {
    ws, peer: '', got,
    next: (type, where = () => true) => {
      const seen = got.find((m) => m.type === type && where(m) && !m.__taken);
      if (seen) { seen.__taken = true; return Promise.resolve(seen); }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} within 5 s; got ${JSON.stringify(got.map((m) => m.type))}`)), 5_000);
        waiting.push({ type, where, resolve: (m) => { clearTimeout(timer); m.__taken = true; resolve(m); } });
      });
    },
    send: (m) => ws.send(JSON.stringify(m)),
  };
  c.send({ type: 'auth', token });
  c.peer = (await c.next('ready')).peer;
  return c;
}
