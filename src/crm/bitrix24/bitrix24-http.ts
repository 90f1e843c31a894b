import { Logger } from '@nestjs/common';
import type { SverkaMetrics } from '../../metrics/sverka-metrics.js';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import {
  BATCH_LIMIT,
  DEFAULT_TIMEOUT_MS,
  JITTER,
  OPERATING_PAUSE_MS,
  OPERATING_RETRIES,
  QUERY_LIMIT_DELAYS_MS,
  TRANSIENT_DELAYS_MS,
} from './bitrix24.constants.js';
import { B24Failure, mapB24Error, mapThrown } from './bitrix24-errors.js';
import { portalLimiter, type LeakyBucket } from './leaky-bucket.js';
import { batchCommand } from './php-query.util.js';

export interface Bitrix24HttpOptions {
  /** `https://<portal>/rest/<user_id>/<secret>/` (BITRIX24_WEBHOOK_URL; a secret). */
  webhookUrl: string;
  /** BITRIX24_RPS: drain rate of the client-side leaky bucket. */
  rps: number;
  /** BITRIX24_BURST: its capacity. */
  burst: number;
  /**
   * Slots of the portal's bucket the client leaves free (default 1), so that requests arriving a little
   * closer together than they were sent (network jitter) still fit. Costs one request of the first burst only.
   */
  headroom?: number;
  /** Per HTTP request (default 60 000 ms, the cloud's limit). */
  timeoutMs?: number;
  /** Multiplies every retry wait and 429 pause (default 1; tests pass e.g. 0.01). */
  retryScale?: number;
  metrics?: SverkaMetrics;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** A limiter of one's own instead of the process-wide one of the portal (tests). */
  limiter?: LeakyBucket;
}

/** The `time` block (docs/protocols/bitrix24.md#time-block); `operating*` optional. */
export interface B24Time {
  start?: number;
  finish?: number;
  operating_reset_at?: number;
  operating?: number;
}

export interface B24Body {
  result: unknown;
  total?: number;
  next?: number;
  time?: B24Time;
}

/** One command of a batch. */
export interface B24Command {
  method: string;
  params: Record<string, unknown>;
}

export type B24CommandResult =
  { ok: true; result: unknown; total?: number; next?: number } | { ok: false; error: CrmError };

/**
 * Called when a batch's outcome is unknown (the response was lost, timed out or was a 5xx; or a command
 * answered with a retryable server error): the caller may settle commands (e.g. a create found by origin)
 * before any retry. Returns the settled results by key; the rest are sent again.
 */
export type UncertainHook = (keys: string[]) => Promise<Map<string, B24CommandResult>>;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The Bitrix24 transport: POST JSON to `<webhook>/<method>.json` through the portal's leaky bucket,
 * the retry policy of docs/protocols/bitrix24.md#client-policy, CrmError mapping, metrics per HTTP request,
 * and a webhook secret that never appears in a message or a log line.
 */
export class Bitrix24Http {
  private readonly log = new Logger('Bitrix24');
  private readonly base: string;
  private readonly secret: string;
  /** The webhook URL with the secret replaced by `***`, for messages. */
  readonly safeUrl: string;
  readonly limiter: LeakyBucket;
  private readonly timeoutMs: number;
  private readonly scale: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Method → epoch ms until which it is paused (429). */
  private readonly pausedUntil = new Map<string, number>();
  /** Method → last seen `operating_reset_at` (epoch s). */
  private readonly resetAt = new Map<string, number>();

  constructor(private readonly opts: Bitrix24HttpOptions) {
    const u = new URL(opts.webhookUrl);
    const m = /^(.*\/rest\/[^/]+\/)([^/]+)\/?$/.exec(u.pathname);
    if (!m)
      throw new CrmError(
        CrmErrorCode.CONFIGURATION,
        'BITRIX24_WEBHOOK_URL must look like https://<portal>/rest/<user_id>/<secret>/',
      );
    this.secret = decodeURIComponent(m[2]);
    this.base = `${u.origin}${m[1]}${m[2]}/`;
    this.safeUrl = `${u.origin}${m[1]}***/`;
    const headroom = Math.max(0, Math.min(opts.headroom ?? 1, opts.burst - 1));
    this.limiter = opts.limiter ?? portalLimiter(u.origin, opts.rps, opts.burst - headroom);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.scale = opts.retryScale ?? 1;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** Removes the webhook secret from any text. */
  redact(text: string): string {
    if (!this.secret) return text;
    return text.split(this.secret).join('***').split(encodeURIComponent(this.secret)).join('***');
  }

  /** One method call with the full retry policy (`retry: false`: one attempt, e.g. a probe). Throws CrmError. */
  async call(
    method: string,
    params: Record<string, unknown>,
    opts: { retry?: boolean } = {},
  ): Promise<B24Body> {
    let ql = 0;
    let op = 0;
    let tr = 0;
    for (;;) {
      await this.waitForPause(method);
      try {
        return await this.send(method, params);
      } catch (e) {
        if (!(e instanceof B24Failure)) throw e;
        const f = e;
        if (opts.retry === false) throw f.error;
        if (f.kind === 'query_limit' && ql < QUERY_LIMIT_DELAYS_MS.length) {
          await this.backoff(QUERY_LIMIT_DELAYS_MS[ql++], method, f);
          continue;
        }
        if (f.kind === 'operating' && op++ < OPERATING_RETRIES) {
          this.pause(method);
          continue;
        }
        if (f.kind === 'transient' && tr < TRANSIENT_DELAYS_MS.length) {
          await this.backoff(TRANSIENT_DELAYS_MS[tr++], method, f);
          continue;
        }
        throw f.error;
      }
    }
  }

  /**
   * Runs commands in `batch` requests of ≤ 50 (sequentially), with per-command results: a command that
   * failed retryably is sent again in the next round (alone with the other failed ones), the others
   * keep their result (a batch is not atomic). Throws only on a fatal whole-request error (401/403,
   * configuration).
   */
  async batch(
    commands: Map<string, B24Command>,
    onUncertain?: UncertainHook,
  ): Promise<Map<string, B24CommandResult>> {
    const out = new Map<string, B24CommandResult>();
    const keys = [...commands.keys()];
    for (let i = 0; i < keys.length; i += BATCH_LIMIT) {
      const chunk = new Map(keys.slice(i, i + BATCH_LIMIT).map((k) => [k, commands.get(k)!]));
      for (const [k, r] of await this.batchChunk(chunk, onUncertain)) out.set(k, r);
    }
    return out;
  }

  private async batchChunk(
    chunk: Map<string, B24Command>,
    onUncertain?: UncertainHook,
  ): Promise<Map<string, B24CommandResult>> {
    const results = new Map<string, B24CommandResult>();
    const pending = new Set(chunk.keys());
    const tries = new Map<string, { ql: number; op: number; tr: number }>();
    const t = (k: string) => tries.get(k) ?? (tries.set(k, { ql: 0, op: 0, tr: 0 }), tries.get(k)!);
    let whole = { ql: 0, op: 0, tr: 0 };
    const settle = async (keys: string[]) => {
      if (!onUncertain || keys.length === 0) return;
      for (const [k, r] of await onUncertain(keys)) {
        if (!pending.has(k)) continue;
        results.set(k, r);
        pending.delete(k);
      }
    };
    while (pending.size > 0) {
      const methods = new Set([...pending].map((k) => chunk.get(k)!.method));
      await this.waitForPause('batch');
      for (const m of methods) await this.waitForPause(m);
      const cmd: Record<string, string> = {};
      for (const k of pending) cmd[k] = batchCommand(chunk.get(k)!.method, chunk.get(k)!.params);
      let body: B24Body;
      try {
        body = await this.send('batch', { halt: 0, cmd });
      } catch (e) {
        if (!(e instanceof B24Failure)) throw e;
        const f = e;
        if (f.kind === 'final') {
          if (f.error.fatal) throw f.error;
          for (const k of pending) results.set(k, { ok: false, error: f.error });
          break;
        }
        if (f.kind === 'query_limit' && whole.ql < QUERY_LIMIT_DELAYS_MS.length) {
          await this.backoff(QUERY_LIMIT_DELAYS_MS[whole.ql++], 'batch', f);
          continue;
        }
        if (f.kind === 'operating' && whole.op++ < OPERATING_RETRIES) {
          this.pause('batch');
          continue;
        }
        if (f.kind === 'transient' && whole.tr < TRANSIENT_DELAYS_MS.length) {
          // The answer is lost or broken: commands may have run. Let the caller settle them first.
          await settle([...pending]);
          if (pending.size > 0) await this.backoff(TRANSIENT_DELAYS_MS[whole.tr++], 'batch', f);
          continue;
        }
        for (const k of pending) results.set(k, { ok: false, error: f.error });
        break;
      }
      whole = { ql: 0, op: 0, tr: 0 };
      const r = (body.result ?? {}) as Record<string, unknown>;
      const ok = asRecord(r.result);
      const errors = asRecord(r.result_error);
      const totals = asRecord(r.result_total);
      const nexts = asRecord(r.result_next);
      const times = asRecord(r.result_time);
      let wait = 0;
      const uncertain: string[] = [];
      for (const k of [...pending]) {
        const method = chunk.get(k)!.method;
        const time = times[k] as B24Time | undefined;
        if (typeof time?.operating_reset_at === 'number') this.resetAt.set(method, time.operating_reset_at);
        if (k in ok) {
          results.set(k, {
            ok: true,
            result: ok[k],
            total: typeof totals[k] === 'number' ? (totals[k] as number) : undefined,
            next: typeof nexts[k] === 'number' ? (nexts[k] as number) : undefined,
          });
          pending.delete(k);
          continue;
        }
        const e = errors[k] as { error?: unknown; error_description?: unknown } | undefined;
        const f = e
          ? mapB24Error(0, e.error, e.error_description, method)
          : new B24Failure(
              new CrmError(CrmErrorCode.TEMPORARY, `Bitrix24 ${method}: no result in the batch answer`),
              'transient',
            );
        const c = t(k);
        if (f.kind === 'query_limit' && c.ql < QUERY_LIMIT_DELAYS_MS.length) {
          wait = Math.max(wait, this.jitter(QUERY_LIMIT_DELAYS_MS[c.ql++]));
          continue;
        }
        if (f.kind === 'operating' && c.op++ < OPERATING_RETRIES) {
          this.pause(method);
          continue;
        }
        if (f.kind === 'transient' && c.tr < TRANSIENT_DELAYS_MS.length) {
          wait = Math.max(wait, this.jitter(TRANSIENT_DELAYS_MS[c.tr++]));
          uncertain.push(k);
          continue;
        }
        results.set(k, { ok: false, error: this.clean(f).error });
        pending.delete(k);
      }
      await settle(uncertain);
      if (pending.size > 0 && wait > 0) {
        this.log.warn(`Bitrix24 batch: ${pending.size} command(s) to retry in ${Math.round(wait)} ms`);
        await this.sleep(wait);
      }
    }
    return results;
  }

  /** One HTTP request through the limiter. Throws B24Failure. */
  private async send(method: string, params: Record<string, unknown>): Promise<B24Body> {
    await this.limiter.acquire();
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base}${method}.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      this.count(method, 'error');
      throw this.clean(mapThrown(e, method, this.timeoutMs));
    }
    let json: Record<string, unknown> | null;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = null;
    }
    if (res.ok && json && 'result' in json) {
      this.count(method, 'ok');
      const time = json.time as B24Time | undefined;
      if (typeof time?.operating_reset_at === 'number') this.resetAt.set(method, time.operating_reset_at);
      return json as unknown as B24Body;
    }
    if (res.ok) {
      this.count(method, 'error');
      throw new B24Failure(
        new CrmError(
          CrmErrorCode.BAD_RESPONSE,
          `Bitrix24 ${method}: HTTP ${res.status} without a JSON result`,
          res.status,
        ),
        'final',
      );
    }
    const f = mapB24Error(res.status, json?.error, json?.error_description, method);
    if (f.kind === 'query_limit') this.limiter.saturate();
    this.count(method, f.kind === 'query_limit' || f.kind === 'operating' ? 'rate_limited' : 'error');
    throw this.clean(f);
  }

  private clean(f: B24Failure): B24Failure {
    const msg = this.redact(f.error.message);
    return msg === f.error.message
      ? f
      : new B24Failure(new CrmError(f.error.code, msg, f.error.status, f.error.crmCode), f.kind);
  }

  /** Pauses `method` until its last seen operating_reset_at (60 s if unknown), scaled. */
  private pause(method: string): void {
    const reset = this.resetAt.get(method);
    const now = Date.now();
    const ms = reset && reset * 1000 > now ? reset * 1000 - now : OPERATING_PAUSE_MS;
    const until = now + ms * this.scale;
    this.pausedUntil.set(method, Math.max(this.pausedUntil.get(method) ?? 0, until));
    this.log.warn(
      `Bitrix24 ${method}: operating-time limit (429); no calls of it for ${Math.round(ms * this.scale)} ms`,
    );
  }

  private async waitForPause(method: string): Promise<void> {
    const until = this.pausedUntil.get(method);
    if (until === undefined) return;
    const ms = until - Date.now();
    if (ms > 0) await this.sleep(ms);
    this.pausedUntil.delete(method);
  }

  private jitter(ms: number): number {
    return ms * this.scale * (1 + (Math.random() * 2 - 1) * JITTER);
  }

  private async backoff(baseMs: number, method: string, f: B24Failure): Promise<void> {
    const ms = this.jitter(baseMs);
    this.log.warn(`Bitrix24 ${method}: ${f.error.crmCode ?? f.error.code}; retry in ${Math.round(ms)} ms`);
    await this.sleep(ms);
  }

  private count(method: string, outcome: 'ok' | 'rate_limited' | 'error'): void {
    this.opts.metrics?.crmRequests.inc({ method, outcome });
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
