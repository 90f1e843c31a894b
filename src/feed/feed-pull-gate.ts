import { BUSY_RETRY_MS, MIN_PULL_INTERVAL_MS } from './feed.constants.js';
import type { FeedPullResult, FeedPullTrigger } from './feed-pull.port.js';

export interface FeedPullGateOptions {
  /** One pull; `busy` (the sync slot is taken) or `again` (more waits) leaves one more pull due. */
  pull: () => Promise<FeedPullResult | void>;
  /** A pull that rejected (the gate carries on). */
  onError?: (error: unknown) => void;
  /** Least time between two pull starts (default MIN_PULL_INTERVAL_MS). */
  minIntervalMs?: number;
  /** After a `busy` pull, the next starts no sooner than this (default BUSY_RETRY_MS). */
  busyRetryMs?: number;
  /** Injectable clock and timer (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Coalesces pull requests: at most one pull runs, and requests that arrive meanwhile leave exactly one
 * more pull due, which starts no sooner than `minIntervalMs` after the previous start. A storm of
 * doorbells (100 in a second) therefore gives one pull, or two when the storm outlasts the first pull's
 * start — and every change rung in is covered by a pull that started after it rang. `request()` returns at
 * once: the pull starts on a later tick, never inside the caller. A pull that found the sync slot taken
 * (`busy`) is tried again after `busyRetryMs`: a pull waits for the running sync, never writes beside it.
 */
export class FeedPullGate implements FeedPullTrigger {
  private running: Promise<void> | null = null;
  private due = false;
  private closed = false;
  private lastStart = Number.NEGATIVE_INFINITY;
  /** No pull starts before this (set by a `busy` pull). */
  private notBefore = Number.NEGATIVE_INFINITY;
  private count = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly minInterval: number;
  private readonly busyRetry: number;

  constructor(private readonly opts: FeedPullGateOptions) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
    this.minInterval = opts.minIntervalMs ?? MIN_PULL_INTERVAL_MS;
    this.busyRetry = opts.busyRetryMs ?? BUSY_RETRY_MS;
  }

  /** Pulls started so far. */
  get pulls(): number {
    return this.count;
  }

  request(): void {
    if (this.closed) return;
    this.due = true;
    if (!this.running) this.running = this.loop();
  }

  /** Resolves when no pull runs and none is due. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Takes no more requests; resolves when the running pull (if any) has finished. */
  async close(): Promise<void> {
    this.closed = true;
    this.due = false;
    await this.idle();
  }

  /** Nest calls it on shutdown when the gate is a provider: a running pull finishes first. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async loop(): Promise<void> {
    try {
      await new Promise<void>((r) => setImmediate(r));
      while (this.due && !this.closed) {
        const wait = Math.max(this.lastStart + this.minInterval, this.notBefore) - this.now();
        if (wait > 0) await this.sleep(wait);
        if (this.closed) break;
        this.due = false; // requests from here on are covered by the next pull, not this one
        this.lastStart = this.now();
        this.count++;
        try {
          const result = await this.opts.pull();
          if (result?.busy || result?.again) {
            this.due = true;
            if (result.busy) this.notBefore = this.now() + this.busyRetry;
          }
        } catch (e) {
          this.opts.onError?.(e);
        }
      }
    } finally {
      this.running = null;
    }
  }
}
