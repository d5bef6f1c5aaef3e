import { RateLimiterMemory, type RateLimiterAbstract, type IRateLimiterOptions, type RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error.js';

/** Makes one counter. In-process memory by default; a shared store (Redis) across processes. */
export type LimiterFactory = (opts: IRateLimiterOptions) => RateLimiterAbstract;
export const memoryLimiters: LimiterFactory = (opts) => new RateLimiterMemory(opts);

export interface Attempt {
  /** What is being guessed: `candidate:<id>`, `proctor:<exam>/<id>`, `binding:<exam>`… */
  account: string;
  address: string;
  /** A device that has signed in to this account before: spared the account's delay. */
  knownDevice: boolean;
}

export interface ThrottlePolicy {
  /** Failures per account before delays begin. */
  freeFailures: number;
  /** The longest delay an account waits between attempts, seconds. */
  maxDelayS: number;
  /** Failures one address may make per minute before it waits `addressBlockS`. */
  addressFailuresPerMinute: number;
  addressBlockS: number;
  /** Attempts per account per second at most, failed or not. */
  burstPerSecond: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { freeFailures: 5, maxDelayS: 30, addressFailuresPerMinute: 30, addressBlockS: 60, burstPerSecond: 3 };

/**
 * Slows online guessing of ticket codes, passwords and binding codes. An account gets a few free
 * failures, then short growing delays (1, 2, 4… s, at most 30 s) — never a long lockout, so an
 * attacker cannot keep the real candidate out of their exam, and a device that signed in to the
 * account before is not delayed at all. An address that fails too often waits a minute.
 * A throttled attempt is refused with 429 before its secret is checked; only failures count, so
 * an exam centre's many honest logins from one address are never slowed.
 */
export class LoginThrottle {
  private readonly accountFails: RateLimiterAbstract;
  private readonly accountWait: RateLimiterAbstract;
  private readonly accountBurst: RateLimiterAbstract;
  private readonly addressFails: RateLimiterAbstract;

  constructor(make: LimiterFactory = memoryLimiters, readonly policy: ThrottlePolicy = DEFAULT_THROTTLE) {
    // Consecutive failures per account, forgotten an hour after the first or at a success.
    this.accountFails = make({ keyPrefix: 'login-fails', points: 1_000_000, duration: 3600 });
    // Set after the free failures: the account waits 1, 2, 4… s before its next attempt.
    this.accountWait = make({ keyPrefix: 'login-wait', points: 1, duration: 1 });
    // At most a few attempts per account per second, counted atomically: parallel guesses.
    this.accountBurst = make({ keyPrefix: 'login-burst', points: policy.burstPerSecond, duration: 1 });
    this.addressFails = make({ keyPrefix: 'login-address', points: policy.addressFailuresPerMinute, duration: 60, blockDuration: policy.addressBlockS });
  }

  /**
   * Throws 429 `too_many_attempts` (with `Retry-After`) when this attempt must wait. Passing takes
   * one of the account's attempts for this second atomically, so a burst of parallel guesses
   * gets only a few through before the first failures start the delays.
   */
  async begin(a: Attempt): Promise<void> {
    if (a.knownDevice) return;
    const [address, wait] = await Promise.all([this.addressFails.get(a.address), this.accountWait.get(a.account)]);
    if (address && address.consumedPoints > this.policy.addressFailuresPerMinute) throw tooMany(address.msBeforeNext);
    if (wait && wait.consumedPoints > 1) throw tooMany(wait.msBeforeNext);
    try {
      await this.accountBurst.consume(a.account);
    } catch (err) {
      if (err instanceof Error) throw err;
      throw tooMany((err as RateLimiterRes).msBeforeNext);
    }
  }

  /** Counts a failure; returns how many in a row this account has had. */
  async failed(a: Attempt): Promise<number> {
    const [fails] = await Promise.all([
      this.accountFails.penalty(a.account),
      this.addressFails.consume(a.address).catch(() => undefined),
    ]);
    const beyond = fails.consumedPoints - this.policy.freeFailures;
    if (beyond > 0) await this.accountWait.block(a.account, Math.min(2 ** (beyond - 1), this.policy.maxDelayS));
    return fails.consumedPoints;
  }

  async succeeded(a: Attempt): Promise<void> {
    await Promise.all([this.accountFails.delete(a.account), this.accountWait.delete(a.account), this.accountBurst.delete(a.account)]);
  }
}

function tooMany(ms: number): ApiError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new ApiError(429, 'too_many_attempts', `too many failed attempts; try again in ${seconds} s`, { retryAfterS: seconds }, { 'retry-after': String(seconds) });
}
