import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error.js';
import { memoryLimiters, type LimiterFactory } from './login-throttle.js';

export interface BindPolicy {
  /** Wrong codes one address may send per minute before it waits `addressBlockS`. */
  addressFailuresPerMinute: number;
  addressBlockS: number;
  /** Wrong codes from all addresses together per minute (a spread-out guess at the code space). */
  globalFailuresPerMinute: number;
}

export const DEFAULT_BIND_POLICY: BindPolicy = { addressFailuresPerMinute: 10, addressBlockS: 60, globalFailuresPerMinute: 600 };

/**
 * Slows guessing of phone binding codes, per address and over the whole code space. Only wrong
 * codes count; a throttled attempt is refused with 429 + Retry-After before the code is looked
 * up. The candidate's own phone is never locked out for long: the wait is at most a minute, and a
 * fresh code from the laptop is one tap away.
 */
export class BindThrottle {
  private readonly address: RateLimiterAbstract;
  private readonly global: RateLimiterAbstract;

  constructor(make: LimiterFactory = memoryLimiters, readonly policy: BindPolicy = DEFAULT_BIND_POLICY) {
    this.address = make({ keyPrefix: 'bind-address', points: policy.addressFailuresPerMinute, duration: 60, blockDuration: policy.addressBlockS });
    this.global = make({ keyPrefix: 'bind-global', points: policy.globalFailuresPerMinute, duration: 60 });
  }

  async begin(address: string): Promise<void> {
    const [a, g] = await Promise.all([this.address.get(address), this.global.get('all')]);
    if (a && a.consumedPoints >= this.policy.addressFailuresPerMinute) throw tooMany(a.msBeforeNext);
    if (g && g.consumedPoints >= this.policy.globalFailuresPerMinute) throw tooMany(g.msBeforeNext);
  }

  async failed(address: string): Promise<void> {
    const swallow = (err: unknown) => {
      if (err instanceof Error) throw err;
      return err as RateLimiterRes;
    };
    await Promise.all([this.address.consume(address).catch(swallow), this.global.consume('all').catch(swallow)]);
  }
}

function tooMany(ms: number): ApiError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new ApiError(429, 'too_many_attempts', `too many wrong binding codes; try again in ${seconds} s`, { retryAfterS: seconds }, { 'retry-after': String(seconds) });
}
