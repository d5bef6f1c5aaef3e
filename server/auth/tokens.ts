import { webcrypto } from 'node:crypto';
import { SignJWT, decodeJwt, jwtVerify, errors } from 'jose';
import { Lru } from '../lru.js';

const ISSUER = 'invigil';
/** Session tokens are short-lived; the client refreshes while in use. */
export const ACCESS_TOKEN_MS = 15 * 60_000;

export interface AccessClaims {
  typ: 'access';
  /** `phone`: a candidate's bound evidence phone (its own evidence recording and status only). */
  role: 'candidate' | 'proctor' | 'phone';
  sub: string;
  exam: string;
  sid: string;
}

export interface UploadClaims {
  typ: 'upload';
  sub: string;
  exam: string;
  dev: string;
  jti: string;
  /** `evidence`: a phone's credential — its own evidence recording only. Absent: the laptop's (all). */
  scope?: 'evidence';
}

/**
 * A review player's ticket (R13): read one candidate's segments by URL (a `<video src>` sends no
 * Authorization header) for a few hours, while the reviewer's session lasts. Nothing else.
 */
export interface MediaClaims { typ: 'media'; sub: string; exam: string; sid: string; cand: string }
export const MEDIA_TICKET_MS = 4 * 60 * 60_000;

/** Tokens whose signature this process has checked: at most this many (the oldest used go first). */
export const VERIFIED_CACHE_SIZE = 20_000;

export class TokenSigner {
  /** Imported once: jose imports a raw key again on every call (≈ 4 % of a loaded server's time). */
  private readonly hmac: Promise<webcrypto.CryptoKey>;
  /**
   * Tokens already verified, by their exact text, with their claims: a device sends the same
   * credential with every upload, and each check would otherwise be an HMAC job on libuv's pool —
   * behind the chunk writes' fsyncs. Only a token that verified gets in (forging one needs the
   * key), its expiry is checked again on every use, and the map is bounded (least recently used
   * leaves first).
   */
  private readonly verified = new Lru<string, { payload: Record<string, unknown>; expMs: number }>(VERIFIED_CACHE_SIZE);

  constructor(key: Uint8Array, private readonly now: () => number, private readonly accessTtlMs = ACCESS_TOKEN_MS) {
    this.hmac = webcrypto.subtle.importKey('raw', Uint8Array.from(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async signAccess(claims: Omit<AccessClaims, 'typ'>): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = this.now() + this.accessTtlMs;
    const token = await this.sign({ ...claims, typ: 'access' }, expiresAt);
    return { token, expiresAt };
  }

  signUpload(claims: Omit<UploadClaims, 'typ'>, expiresAt: number): Promise<string> {
    return this.sign({ ...claims, typ: 'upload' }, expiresAt);
  }

  signMedia(claims: Omit<MediaClaims, 'typ'>): Promise<{ ticket: string; expiresAt: number }> {
    const expiresAt = this.now() + MEDIA_TICKET_MS;
    return this.sign({ ...claims, typ: 'media' }, expiresAt).then((ticket) => ({ ticket, expiresAt }));
  }

  async verifyMedia(token: string): Promise<MediaClaims | null> {
    const p = await this.verify(token);
    if (p?.typ !== 'media') return null;
    if (typeof p.sub !== 'string' || typeof p.exam !== 'string' || typeof p.sid !== 'string' || typeof p.cand !== 'string') return null;
    return { typ: 'media', sub: p.sub, exam: p.exam, sid: p.sid, cand: p.cand };
  }

  /** Null for anything that is not a valid, unexpired token of the asked type. */
  async verifyAccess(token: string): Promise<AccessClaims | null> {
    const p = await this.verify(token);
    if (p?.typ !== 'access' || (p.role !== 'candidate' && p.role !== 'proctor' && p.role !== 'phone')) return null;
    if (typeof p.sub !== 'string' || typeof p.exam !== 'string' || typeof p.sid !== 'string') return null;
    return { typ: 'access', role: p.role, sub: p.sub, exam: p.exam, sid: p.sid };
  }

  async verifyUpload(token: string): Promise<UploadClaims | null> {
    const p = await this.verify(token);
    if (p?.typ !== 'upload') return null;
    if (typeof p.sub !== 'string' || typeof p.exam !== 'string' || typeof p.dev !== 'string' || typeof p.jti !== 'string') return null;
    return { typ: 'upload', sub: p.sub, exam: p.exam, dev: p.dev, jti: p.jti, ...(p.scope === 'evidence' ? { scope: 'evidence' as const } : {}) };
  }

  /**
   * When an upload credential that failed verification had expired (with the exam's retention),
   * else null — read without verifying, so it only ever picks the wording of a refusal.
   */
  uploadExpiredAt(token: string): number | null {
    try {
      const p = decodeJwt(token);
      return p.typ === 'upload' && typeof p.exp === 'number' && p.exp * 1000 <= this.now() ? p.exp * 1000 : null;
    } catch {
      return null;
    }
  }

  private async sign(payload: Record<string, string>, expiresAt: number): Promise<string> {
    const nowSec = Math.floor(this.now() / 1000);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setIssuedAt(nowSec)
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(await this.hmac);
  }

  private async verify(token: string): Promise<Record<string, unknown> | null> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expMs > this.now()) return known.payload;
      this.verified.delete(token);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, await this.hmac, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
      });
      // Every token this signer makes expires; one without `exp` is checked each time.
      if (typeof payload.exp === 'number') this.verified.set(token, { payload, expMs: payload.exp * 1000 });
      return payload;
    } catch (err) {
      if (err instanceof errors.JOSEError) return null;
      throw err;
    }
  }
}
