/**
 * Client-side leaky bucket (docs/protocols/bitrix24.md#rate-limits): each request adds 1, the level drains by
 * `rps` per second, a request may go when the level after adding stays ≤ `capacity`. Waiters reserve their
 * slot at once (the level may run above capacity while they wait), so concurrent callers leave in FIFO order
 * at exactly `rps` once the burst is spent.
 */
export class LeakyBucket {
  private level = 0;
  private at: number;

  constructor(
    private rps: number,
    private capacity: number,
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.at = clock();
  }

  /** Changes the rates (a later adapter for the same portal with other settings). */
  configure(rps: number, capacity: number): void {
    this.drain();
    this.rps = rps;
    this.capacity = capacity;
  }

  get settings(): { rps: number; capacity: number } {
    return { rps: this.rps, capacity: this.capacity };
  }

  /** Waits until one more request fits, and counts it. Returns the wait in ms. */
  async acquire(): Promise<number> {
    this.drain();
    this.level += 1;
    const over = this.level - this.capacity;
    if (over <= 0) return 0;
    const ms = (over / this.rps) * 1000;
    await this.sleep(ms);
    return ms;
  }

  /** The portal said 503: assume its bucket is full, so the next requests are paced from now. */
  saturate(): void {
    this.drain();
    this.level = Math.max(this.level, this.capacity);
  }

  /** Current level (after draining), for tests. */
  current(): number {
    this.drain();
    return this.level;
  }

  private drain(): void {
    const now = this.clock();
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.rps);
    this.at = now;
  }
}

/** One bucket per portal for the whole process (module-level), keyed by the portal origin. */
const registry = new Map<string, LeakyBucket>();

/**
 * The process-wide limiter of a portal. `portal` is the webhook URL or its origin; the key is the
 * origin (`https://host:port`), so every adapter talking to one portal shares one bucket. A later call
 * with other rates reconfigures the shared bucket.
 */
export function portalLimiter(portal: string, rps: number, capacity: number): LeakyBucket {
  const key = new URL(portal).origin;
  let b = registry.get(key);
  if (!b) {
    b = new LeakyBucket(rps, capacity);
    registry.set(key, b);
  } else if (b.settings.rps !== rps || b.settings.capacity !== capacity) b.configure(rps, capacity);
  return b;
}

/** Forgets every portal's limiter (tests). */
export function resetPortalLimiters(): void {
  registry.clear();
}
