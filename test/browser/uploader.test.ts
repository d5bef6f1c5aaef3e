import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { syncRecording } from '../../src/net/uploader.js';
import { DB_NAME, closeDb } from '../../src/storage/db.js';
import { appendChunk, ensureRecording, getRecording, markStopped, openSegment, pendingBatch } from '../../src/storage/recording-store.js';

const ID = 'rec-uploader-0001';
const sha = (n: number) => n.toString(16).padStart(64, '0');

/**
 * An in-memory server for one recording: what it holds, every request in order, and a switch
 * that makes it unreachable after a number of chunk PUTs (the link drops mid-backlog).
 */
class FakeServer {
  held = new Map<string, string>();
  segments = new Set<number>();
  log: string[] = [];
  dropAfterChunks = Infinity;
  fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => Promise.resolve().then(() => this.answer(input, init));

  private answer(input: RequestInfo | URL, init?: RequestInit): Response {
    const url = new URL(input instanceof Request ? input.url : input, location.href).pathname.replace(`/api/recordings/${ID}`, '');
    const method = init?.method ?? 'GET';
    const chunk = /^\/segments\/(\d+)\/chunks\/(\d+)$/.exec(url);
    if (chunk && this.dropAfterChunks <= 0) throw new TypeError('Failed to fetch');
    this.log.push(`${method} ${url || '/'}`);
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
      const digest = new Headers(init?.headers).get('content-digest') ?? '';
      this.held.set(`${chunk[1]}/${chunk[2]}`, digest);
      return json({});
    }
    if (url === '/complete') return json({ verifiedAt: 99, bytes: 100 * this.held.size, chunks: this.held.size });
    return json({ code: 'not_found', message: url }, 404);
  }

  status() {
    const bySeg = new Map<number, { seq: number; size: number; sha256: string }[]>();
    for (const key of this.held.keys()) {
      const [s, q] = key.split('/').map(Number) as [number, number];
      bySeg.set(s, [...(bySeg.get(s) ?? []), { seq: q, size: 100, sha256: sha(s * 1000 + q) }]);
    }
    return {
      id: ID, kind: 'camera', mimeType: 'video/webm', bytes: 0, verifiedAt: null,
      segments: [...this.segments].map((segment) => ({ segment, startedAt: 1, mimeType: 'video/webm', chunks: bySeg.get(segment) ?? [] })),
    };
  }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function record(segment: number, from: number, to: number): Promise<void> {
  for (let seq = from; seq < to; seq++) {
    const rec = (await getRecording(ID))!;
    await appendChunk({ recordingId: ID, segment, seq, blob: new Blob([new Uint8Array(100)]), size: 100, sha256: sha(segment * 1000 + seq) }, rec.chainHead, `head-${segment}-${seq}`);
  }
}

describe('the uploader sends a backlog in batches', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('announces each segment before its chunks, sends each chunk once, resumes after a drop, and completes', async () => {
    await ensureRecording({
      id: ID, examId: 'e', candidateId: 'c', kind: 'camera', mimeType: 'video/webm', createdAt: 0, state: 'recording',
      segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null, chainHead: 'genesis',
    });
    await openSegment(ID, 1, 'video/webm');
    await record(0, 0, 30);
    await openSegment(ID, 2, 'video/webm');
    await record(1, 0, 20);
    const server = new FakeServer();
    const deps = { base: '', credential: () => Promise.resolve('token'), fetch: server.fetch, locks: undefined };

    // The link drops after 21 chunks: two batches of 16 in, mid-way through the second.
    server.dropAfterChunks = 21;
    const first = await syncRecording(ID, deps);
    expect(first.state).to.equal('offline');
    expect(server.held.size).to.equal(21);
    expect(first.verifiedBytes).to.equal(2_100);
    expect((await pendingBatch(ID)).chunks.length).to.equal(29);

    // Back online; recording went on meanwhile, then stopped.
    server.dropAfterChunks = Infinity;
    await record(1, 20, 25);
    await markStopped(ID);
    const second = await syncRecording(ID, deps);
    expect(second.state).to.equal('verified');
    expect(server.held.size).to.equal(55);
    const puts = server.log.filter((l) => l.includes('/chunks/'));
    expect(puts.length, 'every chunk sent once (none was cut mid-body here)').to.equal(55);
    expect(new Set(puts).size).to.equal(55);
    // Segment 1 was announced before its first chunk.
    expect(server.log.indexOf('PUT /segments/1')).to.be.lessThan(server.log.indexOf('PUT /segments/1/chunks/0'));
    expect(server.log.filter((l) => l === 'PUT /')).to.have.length(1);
    expect(server.log.at(-1)).to.equal('POST /complete');
    expect((await getRecording(ID))!.state).to.equal('verified');
    expect((await pendingBatch(ID)).chunks).to.deep.equal([]);
  });
});
