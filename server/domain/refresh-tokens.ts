import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/open.js';

/**
 * A reply lost on a bad link makes the device send the token it still holds again: within this
 * long after its rotation that is taken as a retry, not as theft.
 */
export const REUSE_GRACE_MS = 30_000;

export type RefreshOutcome =
  | { kind: 'rotated'; refreshToken: string }
  | { kind: 'reused' }
  | { kind: 'unknown' };

/**
 * Refresh tokens `<session id>.<secret>`, rotated on every use (RFC 9700 §4.14.2): the session
 * keeps the hash of its current secret, and every retired one is remembered, so a retired token
 * presented again — someone holds a copy — reveals the theft and the caller ends the session.
 */
export class RefreshTokens {
  constructor(private readonly db: Db, private readonly now: () => number) {}

  /** A new secret for a new session: the token, and the hash to store with the session. */
  issue(sid: string): { token: string; hash: string } {
    const secret = randomBytes(32).toString('base64url');
    return { token: `${sid}.${secret}`, hash: sha256Hex(secret) };
  }

  /** Rotates `token` of session `sid` (whose current hash is `current`). */
  async rotate(sid: string, secret: string, current: string): Promise<RefreshOutcome> {
    const hash = sha256Hex(secret);
    const rotated = sameHex(current, hash) ? await this.replace(sid, hash) : null;
    if (rotated) return { kind: 'rotated', refreshToken: rotated };
    const retired = await this.db.selectFrom('retired_refresh_tokens').select(['session_id', 'retired_at'])
      .where('hash', '=', hash).executeTakeFirst();
    if (!retired || retired.session_id !== sid) return { kind: 'unknown' };
    if (this.now() - retired.retired_at > REUSE_GRACE_MS) return { kind: 'reused' };
    // A retry after a lost reply (or two tabs at once): rotate again from whatever is current.
    const row = await this.db.selectFrom('sessions').select('refresh_hash').where('id', '=', sid).executeTakeFirst();
    const again = row ? await this.replace(sid, row.refresh_hash) : null;
    return again ? { kind: 'rotated', refreshToken: again } : { kind: 'unknown' };
  }

  /** Retires `hash` if it is still the session's current one: the new token, or null when another call won. */
  private async replace(sid: string, hash: string): Promise<string | null> {
    const next = this.issue(sid);
    const done = await this.db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('sessions').set({ refresh_hash: next.hash })
        .where('id', '=', sid).where('refresh_hash', '=', hash).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      await trx.insertInto('retired_refresh_tokens').values({ hash, session_id: sid, retired_at: this.now() })
        .onConflict((oc) => oc.column('hash').doNothing()).execute();
      return true;
    });
    return done ? next.token : null;
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
