import { z } from 'zod';
import { ChatOut, ExamEvent } from '../core/event-schema.js';
import { useDb } from './db.js';

/** One item waiting to be posted: an integrity/flow event or a help-chat message. */
export const OutboxItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), examId: z.string(), candidateId: z.string(), event: ExamEvent }),
  z.object({ kind: z.literal('chat'), examId: z.string(), candidateId: z.string(), message: ChatOut }),
]);
export type OutboxItem = z.infer<typeof OutboxItem>;
export interface QueuedItem { key: number; item: OutboxItem }

/** Keeps an item until it was posted (store-and-forward); committed before this resolves. */
export async function enqueue(item: OutboxItem): Promise<void> {
  await useDb((db) => db.add('outbox', OutboxItem.parse(item)));
}

/** The oldest items, in the order they were made (unreadable ones are skipped, never deleted). */
export async function peek(limit: number): Promise<QueuedItem[]> {
  return useDb(async (db) => {
    const out: QueuedItem[] = [];
    let cursor = await db.transaction('outbox').store.openCursor();
    while (cursor && out.length < limit) {
      const parsed = OutboxItem.safeParse(cursor.value);
      if (parsed.success) out.push({ key: cursor.key, item: parsed.data });
      cursor = await cursor.continue();
    }
    return out;
  });
}

/** Removes items the server acknowledged. */
export async function acknowledge(keys: number[]): Promise<void> {
  if (!keys.length) return;
  await useDb(async (db) => {
    const tx = db.transaction('outbox', 'readwrite');
    await Promise.all([...keys.map((k) => tx.store.delete(k)), tx.done]);
  });
}

export async function pendingChat(examId: string, candidateId: string): Promise<ChatOut[]> {
  const all = await peek(10_000);
  return all.flatMap(({ item }) => (item.kind === 'chat' && item.examId === examId && item.candidateId === candidateId ? [item.message] : []));
}
