import { Logger } from '@nestjs/common';
import type { SverkaMetrics } from '../../metrics/sverka-metrics.js';
import { DEFAULT_RETRY_DELAYS_MS, DEFAULT_TIMEOUT_MS, mapStatus, mapThrown } from '../odata/odata-http.js';
import { OneCError, OneCErrorCode } from '../onec.error.js';

export interface FeedHttpOptions {
  /** ONEC_FEED_URL: `…/hs/sverka`. */
  baseUrl: string;
  user: string;
  password: string;
  /** Per request (default 60 000, as for OData). */
  timeoutMs?: number;
  /** Waits before each retry (default 1 s, 4 s, 16 s, as for OData); each gets ±`jitter` (default 0.2). */
  retryDelaysMs?: readonly number[];
  jitter?: number;
  metrics?: SverkaMetrics;
  sleep?: (ms: number) => Promise<void>;
}

export interface FeedResponse {
  status: number;
  body: string;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One HTTP exchange with the SverkaFeed HTTP service, on the OData client's conventions
 * (src/onec/odata/odata-http.ts): Basic auth (UTF-8) of the same 1C user, a timeout, retries with jittered
 * backoff on 5xx / timeouts / network errors, OneCError codes, `sverka_onec_requests_total`. Feed specifics:
 * a 409 (another session is building or acknowledging a message) is retried like a 5xx, and a 404 means the
 * extension or its publication is missing. Every call is idempotent (a repeated GET builds a new message
 * with the same items; a repeated ack is harmless), so retrying is safe. Never logs credentials.
 */
export class FeedHttp {
  private readonly log = new Logger('OneCFeed');
  private readonly authorization: string;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly delays: readonly number[];
  private readonly jitter: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: FeedHttpOptions) {
    this.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password}`, 'utf8').toString('base64')}`;
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.jitter = opts.jitter ?? 0.2;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** The URL of a feed resource (`changes`, `ack`, `state`) with its query; holds no credentials. */
  url(resource: string, query: Record<string, string | number> = {}): string {
    const q = new URLSearchParams(
      Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    return `${this.base}/${resource}${q ? `?${q}` : ''}`;
  }

  /** GET or POST (JSON body) with retries; returns the parsed JSON of a 2xx answer. */
  async json(
    method: 'GET' | 'POST',
    resource: string,
    opts: { query?: Record<string, string | number>; body?: unknown } = {},
  ): Promise<unknown> {
    const res = await this.send(method, resource, opts);
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      throw new OneCError(
        OneCErrorCode.BAD_RESPONSE,
        `1C feed ${resource}: the response is not JSON`,
        res.status,
      );
    }
  }

  private async send(
    method: 'GET' | 'POST',
    resource: string,
    opts: { query?: Record<string, string | number>; body?: unknown },
  ): Promise<FeedResponse> {
    const url = this.url(resource, opts.query);
    const headers: Record<string, string> = { Authorization: this.authorization, Accept: 'application/json' };
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    let attempt = 0;
    for (;;) {
      let error: OneCError;
      try {
        const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
        const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
        if (res.ok) {
          this.count('ok');
          return { status: res.status, body: text };
        }
        error = mapFeedStatus(res.status, text, resource);
      } catch (e) {
        error = mapThrown(e, `feed ${resource}`, this.timeoutMs);
      }
      this.count('error');
      if (!error.retryable || attempt >= this.delays.length) throw error;
      const delay = this.delays[attempt] * (1 + (Math.random() * 2 - 1) * this.jitter);
      attempt++;
      this.log.warn(
        `1C feed ${resource}: ${error.code} (${error.status ?? 'no status'}), retry ${attempt}/${this.delays.length} in ${Math.round(delay)} ms`,
      );
      await this.sleep(delay);
    }
  }

  private count(outcome: 'ok' | 'error'): void {
    this.opts.metrics?.onecRequests.inc({ outcome });
  }
}

/** The `error` text of the extension's JSON error body, else a short note (web-server pages are HTML). */
export function feedErrorText(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown };
    if (typeof j.error === 'string') return j.error.slice(0, 300);
  } catch {
    // fall through
  }
  return body.trim() ? 'non-JSON error body' : 'empty body';
}

/** HTTP status of the feed → OneCError, with the OData client's codes (401/403: the same credentials message). */
export function mapFeedStatus(status: number, body: string, resource: string): OneCError {
  const text = `1C feed ${resource}: HTTP ${status}: ${feedErrorText(body)}`;
  if (status === 404)
    return new OneCError(
      OneCErrorCode.CONFIGURATION,
      `${text}: is the SverkaFeed extension installed and its HTTP service published (ONEC_FEED_URL ends in /hs/sverka)?`,
      status,
    );
  if (status === 401 || status === 403) return mapStatus(status, body, `feed ${resource}`, 'config');
  if (status === 409 || status >= 500 || status === 408 || status === 429)
    return new OneCError(OneCErrorCode.TEMPORARY, text, status);
  return new OneCError(OneCErrorCode.INVALID, text, status);
}
