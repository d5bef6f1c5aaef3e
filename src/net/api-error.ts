/** A failed API call: `code` is the server's stable code, or 'network' when no reply came. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  get isNetwork(): boolean {
    return this.code === 'network';
  }
}
