/**
 * The client-side limit of an amoCRM account (docs/protocols/amocrm.md#limits): at most `rps` requests
 * start within any window of one second plus a margin — amoCRM answers 429 above 7 a second and blocks an
 * account that keeps exceeding it, so the client never sends faster. Callers take turns (FIFO), and each
 * start is recorded when it really happens, after the wait: a timer that fires late (a busy event loop)
 * pushes the next starts back instead of letting them bunch up behind it. `pause()` holds every request
 * back after a 429, including those already waiting.
 */
export class RequestWindow {
  /** Real start times (ms) of the last `rps` requests, oldest first. */
  private readonly starts: number[] = [];
  private pausedUntil = 0;
  /** The turn of the last caller: the next one waits for it. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private rps: number,
    private readonly windowMs = 1000,
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  get settings(): { rps: number; windowMs: number } {
    return { rps: this.rps, windowMs: this.windowMs };
  }

  /** A later adapter for the same account with another AMOCRM_RPS. */
  configure(rps: number): void {
    this.rps = rps;
  }

  /** Waits until one more request may start, and counts it. Returns the wait in ms. */
  async acquire(): Promise<number> {
    const asked = this.clock();
    const turn = this.tail.then(() => this.take());
    this.tail = turn.catch(() => undefined);
    await turn;
    return this.clock() - asked;
  }

  /** One caller's turn: sleeps until the window (and any pause) allows a start, then records it. */
  private async take(): Promise<void> {
    for (;;) {
      const now = this.clock();
      const n = Math.max(1, Math.floor(this.rps));
      let at = Math.max(now, this.pausedUntil);
      if (this.starts.length >= n) at = Math.max(at, this.starts[this.starts.length - n] + this.windowMs);
      if (at <= now) break;
      await this.sleep(at - now);
    }
    this.starts.push(this.clock());
    while (this.starts.length > Math.max(1, Math.floor(this.rps))) this.starts.shift();
  }

  /** amoCRM said 429: no request starts before `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + ms);
  }
}

const registry = new Map<string, RequestWindow>();

/** The process-wide window of an account (keyed by the origin of AMOCRM_BASE_URL): every adapter shares it. */
export function accountWindow(baseUrl: string, rps: number, windowMs: number): RequestWindow {
  const key = new URL(baseUrl).origin;
  let w = registry.get(key);
  if (!w || w.settings.windowMs !== windowMs) {
    w = new RequestWindow(rps, windowMs);
    registry.set(key, w);
  } else if (w.settings.rps !== rps) w.configure(rps);
  return w;
}

/** Forgets every account's window (tests). */
export function resetAccountWindows(): void {
  registry.clear();
}
