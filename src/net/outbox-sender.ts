import { ChatThread, EventBatchReply } from '../core/event-schema.js';
import { acknowledge, peek, type QueuedItem } from '../storage/outbox.js';
import type { UploadDeps } from './uploader.js';

const BATCH = 50;
export type OutboxOutcome = 'done' | 'offline' | 'retry';

/**
 * Posts what the outbox holds (events, then chat, oldest first) with the device credential and
 * removes each batch once the server answered 2xx; the server dedupes by id, so a batch resent
 * after a lost reply does no harm. Stops at the first failure and leaves the rest queued.
 */
export async function flushOutbox(deps: UploadDeps): Promise<OutboxOutcome> {
  const token = await deps.credential();
  if (!token) return 'retry';
  const fetchFn = deps.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  for (;;) {
    const items = await peek(BATCH);
    if (!items.length) return 'done';
    const kind = items[0]?.item.kind;
    const batch = items.filter((q) => q.item.kind === kind);
    const body = kind === 'event'
      ? { events: batch.flatMap((q) => (q.item.kind === 'event' ? [q.item.event] : [])) }
      : { messages: batch.flatMap((q) => (q.item.kind === 'chat' ? [q.item.message] : [])) };
    let res: Response;
    try {
      res = await fetchFn(`${deps.base}/api/device/${kind === 'event' ? 'events' : 'chat'}`, {
        method: 'POST', cache: 'no-store',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    } catch {
      return 'offline';
    }
    if (!res.ok) return res.status >= 500 ? 'offline' : 'retry';
    const reply = (kind === 'event' ? EventBatchReply : ChatThread).safeParse(await res.json().catch(() => null));
    if (!reply.success) return 'retry';
    await acknowledge(batch.map((q: QueuedItem) => q.key));
  }
}

/** The help-chat thread as the server has it (the device's own unsent messages are not in it). */
export async function fetchChat(deps: UploadDeps): Promise<ChatThread['messages']> {
  const token = await deps.credential();
  if (!token) throw new Error('no device credential');
  const fetchFn = deps.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const res = await fetchFn(`${deps.base}/api/device/chat`, { cache: 'no-store', headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ChatThread.parse(await res.json()).messages;
}
