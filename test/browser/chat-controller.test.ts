import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ChatController } from '../../src/candidate/chat-controller.js';
import type { CandidateFlow } from '../../src/candidate/candidate-flow.js';
import { saveUploadCredential } from '../../src/storage/credentials.js';
import { DB_NAME, closeDb } from '../../src/storage/db.js';

const owner = { examId: 'chat-exam', candidateId: 'cA-1' };
const reply = { id: 'reply-0001', text: '请继续作答', at: 2, from: 'proctor', receivedAt: 2, kind: 'message' };

/** A host that only counts its update requests (the controller does no rendering of its own). */
class Host implements ReactiveControllerHost {
  updates = 0;
  readonly updateComplete = Promise.resolve(true);
  readonly controllers: ReactiveController[] = [];
  addController(c: ReactiveController): void {
    this.controllers.push(c);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates++;
  }
}

describe('ChatController: reads of the thread that overlap', () => {
  const realFetch = window.fetch;
  afterEach(async () => {
    window.fetch = realFetch;
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('an earlier read answered after a later one does not hide the reply the later one brought', async () => {
    await saveUploadCredential({ ...owner, token: 'device-token', expiresAt: Date.now() + 3_600_000 });
    // The first read of /api/device/chat is held and answers with the thread before the reply;
    // the second answers at once with the reply in it.
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((ok) => (releaseFirst = ok));
    const asked: string[] = [];
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.endsWith('/api/device/chat')) return realFetch(input, init);
      asked.push(new Headers(init?.headers).get('authorization') ?? '');
      const n = asked.length;
      if (n === 1) await firstHeld;
      const messages = n === 1 ? [] : [reply];
      return new Response(JSON.stringify({ messages }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const flow = { owner: () => owner, step: () => 'exam' } as unknown as CandidateFlow;
    const host = new Host();
    const chat = new ChatController(host, flow, () => undefined);
    expect(host.controllers).to.deep.equal([chat]);

    const older = chat.refresh();
    await until(() => asked.length === 1);
    await chat.refresh();
    expect(chat.messages.map((m) => m.id)).to.deep.equal(['reply-0001']);
    releaseFirst();
    await older;
    expect(asked).to.deep.equal(['Bearer device-token', 'Bearer device-token']);
    expect(chat.messages.map((m) => m.id), 'the stale read must not replace the newer thread').to.deep.equal(['reply-0001']);
    expect(host.updates).to.be.greaterThan(0);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error('condition not met in 2 s');
}
