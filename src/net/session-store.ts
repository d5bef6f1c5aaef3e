import type { StoredSession } from '../core/stored-schema.js';
import { kvDelete, kvGet, kvSet } from '../storage/kv.js';
import { ApiClient } from './api-client.js';

type Role = StoredSession['role'];

/**
 * A signed-in session kept on this device (it survives reloads and restarts), with the API
 * client that uses it: refreshed tokens are stored at once, and tabs refresh one at a time from
 * the latest stored tokens (refresh tokens rotate). The candidate, proctor and phone modes share it.
 */
export class SessionStore {
  readonly api: ApiClient;
  session: StoredSession | null = null;
  private readonly key: `session:${Role}`;
  private readonly refreshed = new Set<() => void>();

  constructor(readonly role: Role) {
    this.key = `session:${role}`;
    this.api = new ApiClient(null, {
      onRefreshed: async (tokens) => {
        await this.save(this.session ? { ...this.session, ...tokens } : null);
        for (const listener of this.refreshed) listener();
      },
      shared: { lockName: `invigil-refresh-${role}`, read: async () => (await kvGet(this.key)) ?? null },
    });
  }

  async restore(): Promise<StoredSession | null> {
    this.session = (await kvGet(this.key)) ?? null;
    this.api.setCredentials(this.session);
    return this.session;
  }

  async save(session: StoredSession | null): Promise<void> {
    this.session = session;
    this.api.setCredentials(session);
    if (session) await kvSet(this.key, session);
    else await kvDelete(this.key);
  }

  forget(): Promise<void> {
    return this.save(null);
  }

  /** After each token refresh (the WebSocket authenticates again with the new token). */
  onRefreshed(listener: () => void): () => void {
    this.refreshed.add(listener);
    return () => this.refreshed.delete(listener);
  }
}
