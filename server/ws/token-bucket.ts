/** A token bucket: `rate` per second on average, up to `burst` at once. Time is passed in (ms). */
export class TokenBucket {
  private tokens: number;
  private at: number | null = null;

  constructor(private readonly rate: number, private readonly burst: number) {
    this.tokens = burst;
  }

  /** Takes one token; false when the bucket is empty. */
  take(nowMs: number): boolean {
    if (this.at !== null) this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.at) / 1000) * this.rate);
    this.at = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
