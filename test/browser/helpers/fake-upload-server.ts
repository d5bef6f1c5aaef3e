import { appendChunk, getRecording } from '../../../src/storage/recording-store.js';
import { FRAME_HEADER_BYTES, FrameParser } from '../../../src/core/upload-frames.js';

export const ID = 'rec-uploader-0001';
export const sha = (n: number) => n.toString(16).padStart(64, '0');

/**
 * An in-memory server for one recording: what it holds, every request in order, and a switch
 * that makes it unreachable after a number of chunk PUTs (the link drops mid-backlog).
 */
export class FakeServer {
  constructor(readonly id = ID) {}
  held = new Map<string, string>();
  segments = new Set<number>();
  log: string[] = [];
  dropAfterChunks = Infinity;
  /** How the drop lands: before the request, half-way through its body, or after it was stored (the reply lost). */
  dropAt: 'before' | 'mid-body' | 'reply' = 'before';
  /** Bytes of each chunk body that arrived in part, as the real server keeps them for a resume. */
  partial = new Map<string, number>();
  /** The status lists `partial` (false: a server from before it did, which only HEAD tells). */
  listsPartial = true;
  /** Chunk bytes that reached the server, summed over every chunk request (frame headers apart). */
  bodyBytes = 0;
  /** Frame header bytes that reached the server. */
  frameHeaderBytes = 0;
  /** How a framed request (v2) is answered as a whole: null takes it; 404 an older server; 413 a proxy's body limit. */
  framesRefused: 404 | 413 | null = null;
  /** How long a framed request's reply takes after its body arrived (a distant link's round trip). */
  replyDelayMs = 0;
  /** Framed requests under way at once: now, and the most seen. */
  framedInFlight = 0;
  maxFramedInFlight = 0;
  private arrived: Promise<void> = Promise.resolve();
  /** Chunks ("segment/seq") whose next frame arrives corrupted (refused: digest_mismatch). */
  corrupt = new Set<string>();
  fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => Promise.resolve().then(() => this.answer(input, init));

  private async answer(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : input, location.href).pathname.replace(`/api/recordings/${this.id}`, '');
    const method = init?.method ?? 'GET';
    if (method === 'POST' && url === '/chunks') {
      this.maxFramedInFlight = Math.max(this.maxFramedInFlight, ++this.framedInFlight);
      try {
        // Bodies cross the one link in the order they were sent: each request is read after the one before it.
        const res = this.arrived.then(() => this.framed(init?.body));
        this.arrived = res.then(() => undefined, () => undefined);
        await res;
        if (this.replyDelayMs > 0) await new Promise((r) => setTimeout(r, this.replyDelayMs));
        return await res;
      } finally {
        this.framedInFlight--;
      }
    }
    const chunk = /^\/segments\/(\d+)\/chunks\/(\d+)$/.exec(url);
    const size = init?.body instanceof Blob ? init.body.size : 0;
    const key = chunk ? `${chunk[1]}/${chunk[2]}` : '';
    if (chunk && method === 'PUT' && this.dropAfterChunks <= 0) {
      if (this.dropAt === 'mid-body') {
        const offset = Number(new Headers(init?.headers).get('upload-offset') ?? 0);
        this.partial.set(key, offset + Math.floor(size / 2));
        this.bodyBytes += Math.floor(size / 2);
      }
      if (this.dropAt === 'reply') {
        this.bodyBytes += size;
        this.held.set(key, new Headers(init?.headers).get('content-digest') ?? '');
      }
      throw new TypeError('Failed to fetch');
    }
    this.log.push(`${method} ${url || '/'}`);
    if (chunk && method === 'HEAD') {
      const complete = this.held.has(key);
      return new Response(null, { status: 200, headers: { 'upload-offset': String(complete ? 100 : this.partial.get(key) ?? 0), 'upload-complete': complete ? '?1' : '?0' } });
    }
    if (method === 'PUT' && url === '') return json(this.status());
    const seg = /^\/segments\/(\d+)$/.exec(url);
    if (seg) {
      this.segments.add(Number(seg[1]));
      return json({});
    }
    if (chunk) {
      this.dropAfterChunks--;
      // A chunk of a segment not announced first is refused, as the real server does.
      if (!this.segments.has(Number(chunk[1]))) return json({ code: 'bad_request', message: 'unknown segment' }, 400);
      const headers = new Headers(init?.headers);
      const offset = Number(headers.get('upload-offset') ?? 0);
      if (offset > 0 && this.partial.get(key) !== offset) return json({ code: 'offset_mismatch', message: 'send it whole' }, 409);
      this.partial.delete(key);
      this.bodyBytes += size;
      this.held.set(key, headers.get('content-digest') ?? '');
      if (offset > 0) this.log.push(`${this.log.pop() ?? ''} from ${offset}`);
      return json({});
    }
    if (url === '/complete') {
      // As the real server: every declared chunk held, or 409 naming those it lacks.
      const declared = JSON.parse(typeof init?.body === 'string' ? init.body : '{"segments":[]}') as { segments: { segment: number; chunks: number }[] };
      const missing = declared.segments.flatMap(({ segment, chunks }) => Array.from({ length: chunks }, (_, seq) => ({ segment, seq })))
        .filter(({ segment, seq }) => !this.held.has(`${segment}/${seq}`));
      if (missing.length > 0) return json({ code: 'incomplete', message: `${missing.length} chunk(s) missing`, details: { missing } }, 409);
      return json({ verifiedAt: 99, bytes: 100 * this.held.size, chunks: this.held.size });
    }
    return json({ code: 'not_found', message: url }, 404);
  }

  /** A framed request: each frame stored in turn; a drop lands on the frame the count reaches. */
  private async framed(body: BodyInit | null | undefined): Promise<Response> {
    if (this.framesRefused) {
      this.log.push(`POST /chunks (${this.framesRefused})`);
      // A proxy's 413 is its own HTML page, not our error body.
      if (this.framesRefused === 413) return new Response('<html><body>413 Request Entity Too Large</body></html>', { status: 413, headers: { 'content-type': 'text/html' } });
      return json({ code: 'not_found', message: 'no such API endpoint' }, 404);
    }
    const parser = new FrameParser();
    parser.push(new Uint8Array(await (body as Blob).arrayBuffer()));
    const frames: { segment: number; seq: number; stored: boolean }[] = [];
    let refused: { segment: number; seq: number; code: string; message: string } | undefined;
    const keys: string[] = [];
    for (let f = parser.next(); f; f = parser.next()) {
      const { segment, seq, size } = f.header;
      const key = `${segment}/${seq}`;
      keys.push(key);
      this.frameHeaderBytes += FRAME_HEADER_BYTES;
      if (this.dropAfterChunks <= 0 && this.dropAt !== 'reply') {
        if (this.dropAt === 'mid-body') {
          this.partial.set(key, Math.floor(size / 2));
          this.bodyBytes += Math.floor(size / 2);
        }
        this.log.push(`POST /chunks ${keys.join(' ')} (cut)`);
        throw new TypeError('Failed to fetch');
      }
      this.dropAfterChunks--;
      this.bodyBytes += size;
      if (refused) continue;
      if (!this.segments.has(segment)) refused = { segment, seq, code: 'bad_request', message: 'unknown segment' };
      else if (this.corrupt.delete(key)) refused = { segment, seq, code: 'digest_mismatch', message: 'nothing was stored' };
      else {
        this.partial.delete(key);
        this.held.set(key, 'frame');
        frames.push({ segment, seq, stored: true });
      }
      if (this.dropAfterChunks < 0 && this.dropAt === 'reply') {
        this.log.push(`POST /chunks ${keys.join(' ')} (reply lost)`);
        throw new TypeError('Failed to fetch');
      }
    }
    this.log.push(`POST /chunks ${keys.join(' ')}`);
    return json(refused ? { frames, refused } : { frames });
  }

  status() {
    const bySeg = new Map<number, { seq: number; size: number; sha256: string }[]>();
    for (const key of this.held.keys()) {
      const [s, q] = key.split('/').map(Number) as [number, number];
      bySeg.set(s, [...(bySeg.get(s) ?? []), { seq: q, size: 100, sha256: sha(s * 1000 + q) }]);
    }
    // As the real server lists the bodies a cut left part-way (each chunk's sha256 by `record`'s rule).
    const partial = [...this.partial].map(([key, bytes]) => {
      const [segment, seq] = key.split('/').map(Number) as [number, number];
      return { segment, seq, sha256: sha(segment * 1000 + seq), bytes };
    });
    return {
      id: this.id, kind: 'camera', mimeType: 'video/webm', bytes: 0, verifiedAt: null,
      segments: [...this.segments].map((segment) => ({ segment, startedAt: 1, mimeType: 'video/webm', chunks: bySeg.get(segment) ?? [] })),
      ...(this.listsPartial ? { partial } : {}),
    };
  }
}

export const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export async function record(segment: number, from: number, to: number, id = ID): Promise<void> {
  for (let seq = from; seq < to; seq++) {
    const rec = (await getRecording(id))!;
    await appendChunk({ recordingId: id, segment, seq, blob: new Blob([new Uint8Array(100)]), size: 100, sha256: sha(segment * 1000 + seq) }, rec.chainHead, `head-${segment}-${seq}`);
  }
}
