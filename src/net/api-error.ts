/** A failed API call: `code` is the server's stable code, or 'network' when no reply came. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** When the server said to come back (Retry-After), ms from now. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  get isNetwork(): boolean {
    return this.code === 'network';
  }
}
