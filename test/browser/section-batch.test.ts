import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { FrameParser } from '../../src/core/upload-frames.js';
import { syncAll } from '../../src/net/sync-all.js';
import { UploadLedger } from '../../src/net/upload-ledger.js';
import { DB_NAME, closeDb } from '../../src/storage/db.js';
import { ensureRecording, getRecording, openSegment } from '../../src/storage/recording-store.js';
import { FakeServer, json, record } from './helpers/fake-upload-server.js';

/** Each case's recordings have their own ids: what a pass learned of the server's (module state) stays with them. */
let CAMERA = '';
let SCREEN = '';
let n = 0;

/**
 * Two recordings of one candidate on fake servers, and the candidate's request of sections
 * (`POST /api/recordings/chunks`) beside them: `sections` takes it, answers 404 (an older
 * server) or loses the link in its body.
 */
function world(base: string) {
  const servers = new Map([CAMERA, SCREEN].map((id) => [id, new FakeServer(id)]));
  const log: string[] = [];
  const mode = { sections: 'take' as 'take' | 404 | 'cut' };
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input, location.href).pathname;
    const method = init?.method ?? 'GET';
    if (method !== 'POST' || url !== '/api/recordings/chunks') {
      log.push(`${method} ${url}`);
      const id = [...servers.keys()].find((k) => url.startsWith(`/api/recordings/${k}`)) ?? '';
      return (servers.get(id) ?? new FakeServer()).fetch(input, init);
    }
    log.push(`POST /api/recordings/chunks (${mode.sections})`);
    if (mode.sections === 404) return json({ code: 'not_found', message: 'no such API endpoint' }, 404);
    if (mode.sections === 'cut') throw new TypeError('Failed to fetch');
    const parser = new FrameParser();
    parser.push(new Uint8Array(await (init?.body as Blob).arrayBuffer()));
    const frames = [];
    for (let f = parser.next(); f; f = parser.next()) {
      const { segment, seq } = f.header;
      servers.get(f.section ?? '')?.held.set(`${segment}/${seq}`, 'section');
      frames.push({ recording: f.section ?? '', segment, seq, stored: true });
    }
    return json({ frames });
  };
  return { servers, log, mode, deps: { base, credential: () => Promise.resolve('token'), fetch } };
}

async function live(id: string, kind: 'camera' | 'screen', candidateId = 'c'): Promise<void> {
  await ensureRecording({
    id, examId: 'e', candidateId, kind, mimeType: 'video/webm', createdAt: 0, state: 'recording',
    segments: [], bytes: 0, uploadedBytes: 0, verifiedAt: null, problem: null, chainHead: 'genesis',
  });
  await openSegment(id, 1, 'video/webm');
}

async function pass(deps: ReturnType<typeof world>['deps']) {
  const ledger = new UploadLedger(false);
  try {
    return await syncAll(deps, { ledger, full: true });
  } finally {
    ledger.close();
  }
}

/** Both recordings live, a chunk each, and a first pass (which learns what the server holds: a request each). */
async function started(deps: ReturnType<typeof world>['deps'], candidates = ['c', 'c']): Promise<void> {
  await live(CAMERA, 'camera', candidates[0]);
  await live(SCREEN, 'screen', candidates[1]);
  await record(0, 0, 1, CAMERA);
  await record(0, 0, 1, SCREEN);
  await pass(deps);
}

const held = (s: FakeServer | undefined) => [...(s?.held.keys() ?? [])].sort();

describe('a pass of a candidate\'s live recordings', () => {
  beforeEach(() => {
    n++;
    CAMERA = `rec-sections-${n}-camera`;
    SCREEN = `rec-sections-${n}-screen`;
  });
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('sends the camera\'s and the screen\'s chunks in one request — even one chunk each — and acknowledges each under its own', async () => {
    const { servers, log, deps } = world('http://sections.test');
    await started(deps);
    await record(0, 1, 5, CAMERA);
    await record(0, 1, 2, SCREEN);
    log.length = 0;
    const outcomes = await pass(deps);
    expect(log.filter((l) => l.startsWith('POST') || l.includes('/chunks')), log.join('\n')).to.deep.equal(['POST /api/recordings/chunks (take)']);
    expect(held(servers.get(CAMERA))).to.deep.equal(['0/0', '0/1', '0/2', '0/3', '0/4']);
    expect(held(servers.get(SCREEN))).to.deep.equal(['0/0', '0/1']);
    expect([...servers.values()].map((s) => s.held.get('0/1'))).to.deep.equal(['section', 'section'], 'the second pass\'s chunks came in the sections');
    expect([...servers.values()].map((s) => s.held.get('0/0')?.startsWith('sha-256=')), 'the first pass PUT each one\'s chunk').to.deep.equal([true, true]);
    expect(outcomes.get(CAMERA)?.state).to.equal('uploading');
    expect((await getRecording(CAMERA))?.uploadedBytes).to.equal(500);
    expect((await getRecording(SCREEN))?.uploadedBytes).to.equal(200);
    // One chunk each: still one request of both, not two PUTs.
    await record(0, 5, 6, CAMERA);
    await record(0, 2, 3, SCREEN);
    log.length = 0;
    await pass(deps);
    expect(log.filter((l) => l.startsWith('POST') || l.includes('/chunks'))).to.deep.equal(['POST /api/recordings/chunks (take)']);
    expect((await getRecording(SCREEN))?.uploadedBytes).to.equal(300);
  });

  it('sends each recording its own way to a server without sections, and stops asking it', async () => {
    const { servers, log, mode, deps } = world('http://no-sections.test');
    mode.sections = 404;
    await started(deps);
    for (const from of [1, 3]) {
      await record(0, from, from + 2, CAMERA);
      await record(0, from, from + 2, SCREEN);
      log.length = 0;
      await pass(deps);
      const sent = log.filter((l) => l.startsWith('POST')).sort();
      expect(sent, log.join('\n')).to.deep.equal([
        ...(from === 1 ? ['POST /api/recordings/chunks (404)'] : []),
        `POST /api/recordings/${CAMERA}/chunks`, `POST /api/recordings/${SCREEN}/chunks`,
      ]);
    }
    expect(held(servers.get(CAMERA))).to.deep.equal(['0/0', '0/1', '0/2', '0/3', '0/4']);
    expect(held(servers.get(SCREEN))).to.deep.equal(['0/0', '0/1', '0/2', '0/3', '0/4']);
  });

  it('loses nothing when the link drops in the shared request: both are offline, and the next pass sends both', async () => {
    const { servers, mode, deps } = world('http://cut-sections.test');
    await started(deps);
    await record(0, 1, 3, CAMERA);
    await record(0, 1, 3, SCREEN);
    mode.sections = 'cut';
    const cut = await pass(deps);
    expect([cut.get(CAMERA)?.state, cut.get(SCREEN)?.state]).to.deep.equal(['offline', 'offline']);
    mode.sections = 'take';
    await pass(deps);
    expect(held(servers.get(CAMERA))).to.deep.equal(['0/0', '0/1', '0/2']);
    expect(held(servers.get(SCREEN))).to.deep.equal(['0/0', '0/1', '0/2']);
    expect((await getRecording(SCREEN))?.uploadedBytes).to.equal(300);
  });

  it('does not put two candidates\' recordings in one request (a shared PC: each goes with its own credential)', async () => {
    const { log, deps } = world('http://two-candidates.test');
    await started(deps, ['c1', 'c2']);
    await record(0, 1, 3, CAMERA);
    await record(0, 1, 3, SCREEN);
    log.length = 0;
    await pass(deps);
    expect(log.filter((l) => l.startsWith('POST')).sort()).to.deep.equal([`POST /api/recordings/${CAMERA}/chunks`, `POST /api/recordings/${SCREEN}/chunks`]);
  });
});
