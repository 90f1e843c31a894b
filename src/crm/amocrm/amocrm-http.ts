import { Logger } from '@nestjs/common';
import type { SverkaMetrics } from '../../metrics/sverka-metrics.js';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import {
  DEFAULT_TIMEOUT_MS,
  JITTER,
  MAX_RETRY_AFTER_S,
  RATE_LIMIT_DELAYS_MS,
  TRANSIENT_DELAYS_MS,
  WINDOW_MARGIN_MS,
} from './amocrm.constants.js';
import { AmoFailure, mapAmoError, mapThrown, validationErrorsOf, type AmoValidationEntry } from './amocrm-errors.js';
import { accountWindow, type RequestWindow } from './request-window.js';

export interface AmoCrmHttpOptions {
  /** AMOCRM_BASE_URL: `https://<account>.amocrm.ru`. */
  baseUrl: string;
  /** AMOCRM_TOKEN: the long-lived token (a secret: only ever in the Authorization header). */
  token: string;
  /** AMOCRM_RPS: requests a second, at most 7. */
  rps: number;
  /** Per HTTP request (default 30 000 ms). */
  timeoutMs?: number;
  /** Multiplies every retry wait and 429 pause (default 1; tests pass e.g. 0.01). */
  retryScale?: number;
  /** Added to the limiter's one-second window (default 50 ms). */
  windowMarginMs?: number;
  metrics?: SverkaMetrics;
  /** A window of one's own instead of the process-wide one of the account (tests). */
  window?: RequestWindow;
  sleep?: (ms: number) => Promise<void>;
}

/** Query parameters: arrays repeat their key (`filter[id][]=1&filter[id][]=2`). */
export type AmoQuery = Record<string, string | number | readonly (string | number)[] | undefined>;

/** A write's answer: saved (the body), or refused item by item (400 with `validation-errors`). */
export type AmoWriteAnswer = { ok: true; body: unknown } | { ok: false; entries: AmoValidationEntry[]; error: CrmError };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The amoCRM transport (docs/protocols/amocrm.md): JSON over HTTPS to `<account>/api/v4/…` with the
 * Bearer token, every request through the account's RequestWindow (never above AMOCRM_RPS), 429 → wait
 * (`retry_after`, else 1…16 s) and send again (a refused request did not run), CrmError mapping, a metric
 * per request. Reads also retry 5xx, timeouts and network errors (1, 2, 4 s ±20 %); a write's unknown
 * outcome is the caller's to settle (AmoFailure `transient`), since amoCRM has no idempotency key.
 */
export class AmoCrmHttp {
  private readonly log = new Logger('AmoCRM');
  readonly base: string;
  readonly window: RequestWindow;
  private readonly timeoutMs: number;
  private readonly scale: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: AmoCrmHttpOptions) {
    const u = new URL(opts.baseUrl);
    this.base = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    this.window = opts.window ?? accountWindow(u.origin, opts.rps, 1000 + (opts.windowMarginMs ?? WINDOW_MARGIN_MS));
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.scale = opts.retryScale ?? 1;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** A GET with the full retry policy (`retry: false`: one attempt, e.g. a probe). null = 204 (nothing there). */
  async get(path: string, query: AmoQuery = {}, opts: { retry?: boolean } = {}): Promise<unknown> {
    let transient = 0;
    let rate = 0;
    for (;;) {
      try {
        return (await this.attempt('GET', path, query)).body;
      } catch (e) {
        if (!(e instanceof AmoFailure)) throw e;
        if (opts.retry === false) throw e.error;
        if (e.kind === 'rate' && rate < RATE_LIMIT_DELAYS_MS.length) {
          await this.rateWait(e, rate++, `GET ${path}`);
          continue;
        }
        if (e.kind === 'transient' && transient < TRANSIENT_DELAYS_MS.length) {
          await this.backoff(TRANSIENT_DELAYS_MS[transient++], `GET ${path}`, e);
          continue;
        }
        throw e.error;
      }
    }
  }

  /**
   * One write (POST/PATCH), sent again only after a 429. Throws AmoFailure `transient` when its outcome is
   * unknown (the caller settles it first), CrmError otherwise.
   */
  async write(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<AmoWriteAnswer> {
    let rate = 0;
    for (;;) {
      try {
        const r = await this.attempt(method, path, {}, body);
        if (r.status === 400) {
          const entries = validationErrorsOf(r.body) ?? [];
          return { ok: false, entries, error: mapAmoError(400, r.body, `${method} ${path}`).error };
        }
        return { ok: true, body: r.body };
      } catch (e) {
        if (!(e instanceof AmoFailure)) throw e;
        if (e.kind === 'rate' && rate < RATE_LIMIT_DELAYS_MS.length) {
          await this.rateWait(e, rate++, `${method} ${path}`);
          continue;
        }
        if (e.kind === 'transient') throw e;
        throw e.error;
      }
    }
  }

  /** Waits a retry delay (±20 %, scaled) after an unknown outcome. */
  async backoff(baseMs: number, where: string, f: AmoFailure): Promise<void> {
    const ms = baseMs * this.scale * (1 + (Math.random() * 2 - 1) * JITTER);
    this.log.warn(`amoCRM ${where}: ${f.error.message}; retry in ${Math.round(ms)} ms`);
    await this.sleep(ms);
  }

  /** One HTTP request through the window. 200/204 and a 400 of a write are answers; the rest throw AmoFailure. */
  private async attempt(
    method: string,
    path: string,
    query: AmoQuery,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const where = `${method} ${path}`;
    await this.window.acquire();
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base}${path}${queryString(query)}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.opts.token}`,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      this.count(method, path, 'error');
      throw mapThrown(e, where, this.timeoutMs);
    }
    let json: unknown = null;
    if (text.trim() !== '')
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    if (res.status === 204) {
      this.count(method, path, 'ok');
      return { status: 204, body: null };
    }
    if (res.status === 200 || res.status === 201 || res.status === 202) {
      if (json === null) {
        this.count(method, path, 'error');
        throw new AmoFailure(
          new CrmError(CrmErrorCode.BAD_RESPONSE, `amoCRM ${where}: HTTP ${res.status} without a JSON body`, res.status),
          'final',
        );
      }
      this.count(method, path, 'ok');
      return { status: res.status, body: json };
    }
    if (res.status === 400 && method !== 'GET' && validationErrorsOf(json)) {
      this.count(method, path, 'error');
      return { status: 400, body: json };
    }
    const f = mapAmoError(res.status, json, where);
    this.count(method, path, f.kind === 'rate' ? 'rate_limited' : 'error');
    throw f;
  }

  /** After a 429: every request of the account waits `retry_after` (capped), else 1, 2, 4… s. */
  private async rateWait(f: AmoFailure, n: number, where: string): Promise<void> {
    const s = f.retryAfterS !== undefined ? Math.min(f.retryAfterS, MAX_RETRY_AFTER_S) * 1000 : RATE_LIMIT_DELAYS_MS[n];
    const ms = s * this.scale;
    this.log.warn(`amoCRM ${where}: 429 too many requests; no requests for ${Math.round(ms)} ms`);
    this.window.pause(ms);
  }

  private count(method: string, path: string, outcome: 'ok' | 'rate_limited' | 'error'): void {
    this.opts.metrics?.crmRequests.inc({ method: `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`, outcome });
  }
}

/** `?a=1&filter[id][]=2&filter[id][]=3`: brackets kept as they are, values percent-encoded. */
export function queryString(q: AmoQuery): string {
  const parts: string[] = [];
  const key = (k: string) => encodeURIComponent(k).replace(/%5B/gi, '[').replace(/%5D/gi, ']');
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${key(k)}=${encodeURIComponent(String(x))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
