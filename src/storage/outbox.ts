import { z } from 'zod';
import { ChatOut, ClientId, ExamEvent } from '../core/event-schema.js';
import { useDb } from './db.js';
import { announce } from './store-events.js';

const Owned = { examId: z.string(), candidateId: z.string() };

/** One item waiting to be posted with its own candidate's credential: an event, a chat message, or the login frame. */
export const OutboxItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), ...Owned, event: ExamEvent }),
  z.object({ kind: z.literal('chat'), ...Owned, message: ChatOut }),
  /** The camera frame at login (R2): evidence, so kept on the device until the server has it. */
  z.object({ kind: z.literal('capture'), ...Owned, id: ClientId, at: z.number().int(), faceCheck: z.enum(['passed', 'manual']), blob: z.instanceof(Blob) }),
]);
export type OutboxItem = z.infer<typeof OutboxItem>;
export interface QueuedItem { key: number; item: OutboxItem }

/** Why the server refused an item for good (4xx): kept on the device, never sent again. */
const Refusal = z.object({ code: z.string(), message: z.string(), at: z.number() });
export type Refusal = z.infer<typeof Refusal>;
const Stored = z.looseObject({ refused: Refusal.optional() });

/** Keeps an item until it was posted (store-and-forward); on disk (a strict commit) before this resolves. */
export async function enqueue(item: OutboxItem): Promise<void> {
  const value = OutboxItem.parse(item);
  const key = await useDb(async (db) => {
    const tx = db.transaction('outbox', 'readwrite', { durability: 'strict' });
    const [added] = await Promise.all([tx.store.add(value), tx.done]);
    return added;
  });
  announce({ store: 'outbox', added: [{ key, item: value }] });
}

/** The oldest items still to send, in the order they were made (refused and unreadable ones skipped, never deleted). */
export async function peek(limit: number, skip: (item: OutboxItem) => boolean = () => false): Promise<QueuedItem[]> {
  return useDb(async (db) => {
    const out: QueuedItem[] = [];
    for (let c = await db.transaction('outbox').store.openCursor(); c && out.length < limit; c = await c.continue()) {
      if (Stored.safeParse(c.value).data?.refused) continue;
      const parsed = OutboxItem.safeParse(c.value);
      if (parsed.success && !skip(parsed.data)) out.push({ key: c.key, item: parsed.data });
    }
    return out;
  }, 'read');
}

/** Removes items the server acknowledged. */
export async function acknowledge(keys: number[]): Promise<void> {
  if (!keys.length) return;
  await useDb(async (db) => {
    const tx = db.transaction('outbox', 'readwrite');
    await Promise.all([...keys.map((k) => tx.store.delete(k)), tx.done]);
  });
  announce({ store: 'outbox', removed: keys });
}

/** The server refused this item for good: it stays on the device, marked, and the rest goes on. */
export async function setAside(key: number, refusal: Refusal): Promise<void> {
  await useDb(async (db) => {
    const tx = db.transaction('outbox', 'readwrite', { durability: 'strict' });
    const value = await tx.store.get(key);
    if (value && typeof value === 'object') await tx.store.put({ ...value, refused: refusal }, key);
    await tx.done;
  });
  announce({ store: 'outbox', removed: [key] });
}

/** Items set aside, with why (for the device's own screens and tests). */
export async function refusedItems(): Promise<(QueuedItem & { refused: Refusal })[]> {
  return useDb(async (db) => {
    const out: (QueuedItem & { refused: Refusal })[] = [];
    for (let c = await db.transaction('outbox').store.openCursor(); c; c = await c.continue()) {
      const refused = Stored.safeParse(c.value).data?.refused;
      const parsed = OutboxItem.safeParse(c.value);
      if (refused && parsed.success) out.push({ key: c.key, item: parsed.data, refused });
    }
    return out;
  }, 'read');
}

export async function pendingChat(examId: string, candidateId: string): Promise<ChatOut[]> {
  const all = await peek(10_000, (item) => item.kind !== 'chat' || item.examId !== examId || item.candidateId !== candidateId);
  return all.flatMap(({ item }) => (item.kind === 'chat' ? [item.message] : []));
}
