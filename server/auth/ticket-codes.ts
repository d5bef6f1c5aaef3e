import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'hmac-sha256:';

/**
 * Ticket codes are kept only as a keyed hash (HMAC-SHA-256 under a key derived from the server
 * secret). A fast hash is enough here: the codes are short, so no hash cost could stop an offline
 * search — the key (outside the database) does that — and online guessing is throttled.
 */
export class TicketCodes {
  private readonly key: Buffer;

  constructor(secret: Uint8Array) {
    this.key = createHmac('sha256', secret).update('invigil/ticket-code/v1').digest();
  }

  hash(code: string): string {
    return PREFIX + createHmac('sha256', this.key).update(code, 'utf8').digest('hex');
  }

  /** Constant-time comparison of a typed code with a stored hash. */
  matches(code: string, stored: string): boolean {
    if (!stored.startsWith(PREFIX)) return false;
    const expected = Buffer.from(stored.slice(PREFIX.length), 'hex');
    const actual = createHmac('sha256', this.key).update(code, 'utf8').digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

export const TICKET_HASH = /^hmac-sha256:[0-9a-f]{64}$/;
