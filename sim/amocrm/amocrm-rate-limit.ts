/**
 * The fake account's request limit (docs/protocols/amocrm.md#limits), pure apart from the clock it is
 * given. amoCRM allows 7 requests a second and answers 429 above that; an account that keeps
 * exceeding it is blocked and every request gets 403 until support lifts the block. amoCRM publishes
 * neither the window nor the abuse threshold: here the window slides over the last second (the
 * strictest reading: 7 requests in any second), refused requests do not count, and `blockAfter`
 * refusals within `blockWindowSec` block the account, by default until `unblock()`.
 */
export interface AmoLimits {
  /** Requests admitted in any one-second window (default 7). */
  rps?: number;
  /** Refused requests within `blockWindowSec` that block the account (default 10). */
  blockAfter?: number;
  blockWindowSec?: number;
  /** Seconds a block lasts; default: until unblock() (amoCRM documents no expiry). */
  blockForSec?: number;
}

export type Admission = 'ok' | 'limited' | 'blocked';

export class AmoRateLimit {
  private readonly rps: number;
  private readonly blockAfter: number;
  private readonly blockWindowMs: number;
  private readonly blockForMs: number;
  /** Admission times (ms) inside the last second, oldest first. */
  private readonly admitted: number[] = [];
  private readonly refused: number[] = [];
  private blockedUntil = -Infinity;

  constructor(
    limits: AmoLimits = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.rps = limits.rps ?? 7;
    this.blockAfter = limits.blockAfter ?? 10;
    this.blockWindowMs = (limits.blockWindowSec ?? 60) * 1000;
    this.blockForMs = limits.blockForSec === undefined ? Infinity : limits.blockForSec * 1000;
  }

  /** Decides one request: admitted (counted), limited (429, not counted), or blocked (403). */
  admit(): Admission {
    const t = this.now();
    if (t < this.blockedUntil) return 'blocked';
    while (this.admitted.length && this.admitted[0] <= t - 1000) this.admitted.shift();
    if (this.admitted.length < this.rps) {
      this.admitted.push(t);
      return 'ok';
    }
    while (this.refused.length && this.refused[0] <= t - this.blockWindowMs) this.refused.shift();
    this.refused.push(t);
    if (this.refused.length >= this.blockAfter) {
      this.blockedUntil = t + this.blockForMs;
      this.refused.length = 0;
    }
    return 'limited';
  }

  /** Seconds until a request would be admitted again (for `retry_after`), at least 1. */
  retryAfterSec(): number {
    const t = this.now();
    const oldest = this.admitted[0];
    return Math.max(1, Math.ceil(((oldest ?? t) + 1000 - t) / 1000));
  }

  get blocked(): boolean {
    return this.now() < this.blockedUntil;
  }

  /** What support does: lifts the block and forgets the refusals. */
  unblock(): void {
    this.blockedUntil = -Infinity;
    this.refused.length = 0;
  }
}
