import { createHmac } from 'node:crypto';

export interface DoorbellOptions {
  /** Sverka's `POST /api/v1/events/onec`. */
  url: string;
  /** ONEC_FEED_SECRET: the HMAC-SHA256 key. */
  secret: string;
  /** The exchange-plan node code (default `SVERKA`). */
  node?: string;
  /** Waits before retries of a failed ring (default 200, 400, 800 ms). */
  retryDelaysMs?: readonly number[];
  /** Per ring (default 5 000 ms). */
  timeoutMs?: number;
}

/** One ring as the fake 1C sent it (tests). */
export interface DoorbellRing {
  body: string;
  signature: string;
  /** HTTP status, or null when the request failed (`error`). */
  status: number | null;
  error?: string;
}

/** `X-Sverka-Signature` of a raw body: `sha256=<hex HMAC-SHA256 with the secret>`. */
export function doorbellSignature(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The doorbell of the fake 1C: `ring()` after every change it is told about. Rings are coalesced — while
 * one is in flight, further calls only mark that another is due, which then goes out with the pending count
 * of that moment — and never run inside the caller (the mutation returns first). A failed ring is retried
 * with backoff; what stays undelivered only delays Sverka until its next poll.
 */
export class Doorbell {
  readonly rings: DoorbellRing[] = [];
  private inFlight: Promise<void> | null = null;
  private due = false;
  private closed = false;

  constructor(
    private readonly opts: DoorbellOptions,
    private readonly pending: () => number,
  ) {}

  ring(): void {
    if (this.closed) return;
    this.due = true;
    if (!this.inFlight) this.inFlight = this.loop();
  }

  /** Resolves when no ring is in flight or due. */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.due = false;
    await this.idle();
  }

  private async loop(): Promise<void> {
    try {
      // Let the mutation that asked for the ring finish (and others of the same tick coalesce).
      await new Promise((r) => setImmediate(r));
      while (this.due && !this.closed) {
        this.due = false;
        await this.sendWithRetries();
      }
    } finally {
      this.inFlight = null;
    }
  }

  private async sendWithRetries(): Promise<void> {
    const delays = this.opts.retryDelaysMs ?? [200, 400, 800];
    for (let attempt = 0; ; attempt++) {
      const ok = await this.sendOnce();
      if (ok || attempt >= delays.length || this.closed) return;
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }

  private async sendOnce(): Promise<boolean> {
    const body = JSON.stringify({
      node: this.opts.node ?? 'SVERKA',
      pending: this.pending(),
      ts: Math.floor(Date.now() / 1000),
    });
    const signature = doorbellSignature(body, this.opts.secret);
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Sverka-Signature': signature },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      await res.arrayBuffer();
      this.rings.push({ body, signature, status: res.status });
      return res.ok;
    } catch (e) {
      this.rings.push({ body, signature, status: null, error: e instanceof Error ? e.message : String(e) });
      return false;
    }
  }
}
