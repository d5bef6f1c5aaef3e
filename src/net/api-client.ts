import { z } from 'zod';
import { SessionTokens } from '../core/api-schema.js';
import { ApiRequestError } from './api-error.js';
import { defaultFetch, request, type FetchFn } from './http.js';

export interface Credentials {
  token: string;
  tokenExpiresAt: number;
  refreshToken: string;
}

export interface ApiClientOptions {
  base?: string;
  fetch?: typeof fetch;
  /** Called with new tokens after a refresh, so they can be stored. */
  onRefreshed?: (tokens: z.infer<typeof SessionTokens>) => void | Promise<void>;
  /**
   * Where the tokens are kept for every tab of this origin. Refresh tokens rotate and a retired
   * one used again ends the session, so tabs refresh one at a time (a Web Lock of this name) and
   * each first reads what another tab may have stored meanwhile.
   */
  shared?: { lockName: string; read: () => Promise<Credentials | null> };
}

/** JSON over fetch, replies validated with zod, errors as ApiRequestError. */
export class ApiClient {
  private readonly base: string;
  private readonly fetchFn: FetchFn;
  private refreshing: Promise<void> | null = null;

  constructor(private credentials: Credentials | null, private readonly opts: ApiClientOptions = {}) {
    this.base = opts.base ?? '';
    this.fetchFn = opts.fetch ?? defaultFetch;
  }

  setCredentials(credentials: Credentials | null): void {
    this.credentials = credentials;
  }

  /** The session token in use now (for the WebSocket's `auth`), or null when signed out. */
  get token(): string | null {
    return this.credentials?.token ?? null;
  }

  /** An unauthenticated call (login, time). */
  request<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    return this.send(method, path, schema, body, null);
  }

  /** An authenticated call; on 401 refreshes the session token once and retries (no device-clock guess). */
  async authed<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    if (!this.credentials) throw new ApiRequestError(401, 'unauthorized', 'not logged in');
    try {
      return await this.send(method, path, schema, body, this.credentials.token);
    } catch (err) {
      if (!(err instanceof ApiRequestError) || err.code !== 'unauthorized') throw err;
      await this.refresh();
      return this.send(method, path, schema, body, this.credentials.token);
    }
  }

  /** An authenticated GET of bytes (an image): the body as a Blob, errors as for JSON calls. */
  async authedBlob(path: string): Promise<Blob> {
    if (!this.credentials) throw new ApiRequestError(401, 'unauthorized', 'not logged in');
    const get = () => this.send('GET', path, z.instanceof(Blob), undefined, this.credentials?.token ?? null, true);
    try {
      return await get();
    } catch (err) {
      if (!(err instanceof ApiRequestError) || err.code !== 'unauthorized') throw err;
      await this.refresh();
      return get();
    }
  }

  /** One refresh at a time, however many calls (and tabs) asked for it. */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      const shared = this.opts.shared;
      const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
      const run = shared && locks
        ? locks.request(shared.lockName, () => this.refreshOnce()).then(() => undefined)
        : this.refreshOnce();
      this.refreshing = run.finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const held = this.credentials;
    if (!held) throw new ApiRequestError(401, 'unauthorized', 'not logged in');
    // Another tab may have rotated the tokens meanwhile: refresh with its (current) one, never
    // with a retired one, which would end the session.
    const stored = await this.opts.shared?.read();
    const creds = stored && stored.refreshToken !== held.refreshToken ? { ...held, ...stored } : held;
    const tokens = await this.send('POST', '/api/session/refresh', SessionTokens, { refreshToken: creds.refreshToken }, null);
    this.credentials = { ...creds, ...tokens };
    await this.opts.onRefreshed?.(tokens);
  }

  private async send<S extends z.ZodType>(method: string, path: string, schema: S, body: unknown, token: string | null, asBlob = false): Promise<z.infer<S>> {
    const headers: Record<string, string> = {};
    // A Blob goes as it is (e.g. the login capture, image/jpeg); anything else as JSON.
    const raw = typeof Blob !== 'undefined' && body instanceof Blob;
    if (body !== undefined) headers['content-type'] = raw ? body.type : 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const v = await request(this.base + path, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body) }, this.fetchFn);
    if (v.kind !== 'ok') {
      // No reply of ours (no connection, or a proxy answered): the caller treats it as offline.
      if (!v.error) throw new ApiRequestError(v.kind === 'retry' ? v.status : 0, 'network', `no reply from ${path}`, undefined, v.kind === 'retry' ? v.afterMs : null);
      const status = v.kind === 'auth' ? 401 : v.status;
      throw new ApiRequestError(status, v.error.code, v.error.message, v.error.details, v.kind === 'retry' ? v.afterMs : null);
    }
    const json: unknown = asBlob ? await v.res.blob() : v.res.status === 204 ? null : await v.res.json().catch(() => null);
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiRequestError(v.res.status, 'bad_reply', `unexpected reply from ${path}`);
    return parsed.data;
  }
}
