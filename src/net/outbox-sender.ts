import { ChatThread } from '../core/event-schema.js';
import { ownerKey, type Owner } from '../storage/credentials.js';
import { acknowledge, enqueue, peek, setAside, type OutboxItem, type QueuedItem } from '../storage/outbox.js';
import { request, type Verdict } from './http.js';
import type { OutboxMirror } from './outbox-mirror.js';
import { locksOf, type UploadDeps } from './upload-api.js';

const BATCH = 50;
/** `busy`: another context (page, recorder worker, service worker) is sending the outbox now. */
export interface OutboxOutcome { state: 'done' | 'offline' | 'retry' | 'busy'; retryAfterMs?: number }

const ownerOf = (i: OutboxItem): Owner => ({ examId: i.examId, candidateId: i.candidateId });
const newId = () => crypto.randomUUID().replace(/-/g, '');

/**
 * Posts what the outbox holds, oldest first, each item with its own candidate's credential, and
 * removes what the server acknowledged (it dedupes by id, so a resend does no harm). By the one
 * classification (src/net/http.ts): no connection, 5xx or 429 stop the pass (to retry later,
 * after Retry-After); a refused credential holds back that candidate's items only; an item the
 * server refuses for good is set aside on the device, reported, and the rest goes on.
 */
export async function flushOutbox(deps: UploadDeps, opts: { wait?: boolean; mirror?: OutboxMirror } = {}): Promise<OutboxOutcome> {
  // One context at a time (Web Lock): two would post the same items (the server dedupes them,
  // but on a slow link each copy costs its bytes). `wait`: queue behind the other, not skip.
  const locks = locksOf(deps);
  const writes: Promise<void>[] = [];
  if (!locks) return flushNow(deps, opts.mirror, writes);
  // The outcome is known once the server replied; the lock is kept until the acknowledgements
  // written behind it are on disk (another context would find those items and post them again).
  return new Promise<OutboxOutcome>((resolve, reject) => {
    locks.request(OUTBOX_LOCK, { ifAvailable: opts.wait !== true }, async (lock: Lock | null) => {
      if (!lock) return resolve({ state: 'busy' });
      await flushNow(deps, opts.mirror, writes).then(resolve, reject);
      await Promise.allSettled(writes);
    }).catch(reject);
  });
}

const OUTBOX_LOCK = 'invigil-outbox';

/**
 * `mirror`: the outbox as this context knows it (src/net/outbox-mirror.ts): items known are posted
 * without a read, and their acknowledgement is written behind (into `writes`): a lost one only
 * posts them again, and the server dedupes by id.
 */
async function flushNow(deps: UploadDeps, mirror: OutboxMirror | undefined, writes: Promise<void>[]): Promise<OutboxOutcome> {
  const held = new Set<string>();
  const skip = (i: OutboxItem) => held.has(ownerKey(ownerOf(i)));
  let outcome: OutboxOutcome = { state: 'done' };
  for (;;) {
    const known = mirror?.first(BATCH, skip) ?? null;
    const items = known ?? await readItems(mirror, skip, held.size === 0);
    const first = items[0];
    if (!first) return outcome;
    const run = first.item.kind === 'capture' ? [first] : items.filter((q) => q.item.kind === first.item.kind && ownerKey(ownerOf(q.item)) === ownerKey(ownerOf(first.item)));
    const token = await deps.credential(ownerOf(first.item));
    const v = token ? await post(deps, token, run) : null;
    if (!v || v.kind === 'auth') {
      // Only a new sign-in of that candidate on this device gives a working credential again.
      held.add(ownerKey(ownerOf(first.item)));
      outcome = { state: 'retry' };
      continue;
    }
    if (v.kind === 'retry') return { state: v.status === 0 ? 'offline' : 'retry', ...(v.afterMs === null ? {} : { retryAfterMs: v.afterMs }) };
    if (v.kind === 'ok') {
      const keys = run.map((q) => q.key);
      if (known && mirror) {
        mirror.sent(keys);
        writes.push(acknowledge(keys).catch(() => mirror.forget()));
        continue;
      }
      await acknowledge(keys);
      // All the store held to send went: no read to find it empty (a newer item is announced, and
      // the next pass takes it).
      if (run.length === items.length && items.length < BATCH) return outcome;
      continue;
    }
    if (run.length > 1) {
      // One bad item must not hold back the others: send them one by one to find it.
      const stop = await oneByOne(deps, token ?? '', run);
      if (stop) return stop;
      continue;
    }
    await refuse(first, v.error.code, v.error.message);
  }
}

/** Reads the oldest items from the store; a read that found them all (`whole`: none skipped) fills the mirror. */
async function readItems(mirror: OutboxMirror | undefined, skip: (i: OutboxItem) => boolean, whole: boolean): Promise<QueuedItem[]> {
  const mark = mirror?.mark();
  const items = await peek(BATCH, skip);
  if (mirror && mark !== undefined && whole && items.length < BATCH) mirror.took(mark, items);
  return items;
}

async function oneByOne(deps: UploadDeps, token: string, run: QueuedItem[]): Promise<OutboxOutcome | null> {
  for (const q of run) {
    const v = await post(deps, token, [q]);
    if (v.kind === 'ok') await acknowledge([q.key]);
    else if (v.kind === 'refused') await refuse(q, v.error.code, v.error.message);
    else return { state: v.kind === 'retry' && v.status === 0 ? 'offline' : 'retry', ...(v.kind === 'retry' && v.afterMs !== null ? { retryAfterMs: v.afterMs } : {}) };
  }
  return null;
}

/** Sets the item aside and tells the proctor (as a device problem), unless it was such a report. */
async function refuse(q: QueuedItem, code: string, message: string): Promise<void> {
  await setAside(q.key, { code, message, at: Date.now() });
  const wasReport = q.item.kind === 'event' && q.item.event.type === 'outbox-refused';
  if (wasReport) return;
  await enqueue({
    kind: 'event', examId: q.item.examId, candidateId: q.item.candidateId,
    event: { id: newId(), type: 'outbox-refused', at: q.item.kind === 'event' ? q.item.event.at : q.item.kind === 'chat' ? q.item.message.at : q.item.at, detail: { item: q.item.kind, code } },
  });
}

function post(deps: UploadDeps, token: string, run: QueuedItem[]): Promise<Verdict> {
  const auth = { authorization: `Bearer ${token}` };
  const first = run[0]?.item;
  if (first?.kind === 'capture') {
    const q = new URLSearchParams({ faceCheck: first.faceCheck, at: String(first.at) });
    return request(`${deps.base}/api/device/login-capture?${q}`, { method: 'POST', headers: { ...auth, 'content-type': 'image/jpeg' }, body: first.blob }, deps.fetch);
  }
  const body = first?.kind === 'chat'
    ? { messages: run.flatMap((q) => (q.item.kind === 'chat' ? [q.item.message] : [])) }
    : { events: run.flatMap((q) => (q.item.kind === 'event' ? [q.item.event] : [])) };
  return request(`${deps.base}/api/device/${first?.kind === 'chat' ? 'chat' : 'events'}`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body),
  }, deps.fetch);
}

/** The help-chat thread as the server has it (the device's own unsent messages are not in it). */
export async function fetchChat(deps: UploadDeps, owner: Owner): Promise<ChatThread['messages']> {
  const token = await deps.credential(owner);
  if (!token) throw new Error('no device credential for this candidate');
  const v = await request(`${deps.base}/api/device/chat`, { headers: { authorization: `Bearer ${token}` } }, deps.fetch);
  if (v.kind !== 'ok') throw new Error(`chat not read (${v.kind})`);
  return ChatThread.parse(await v.res.json()).messages;
}
