import { Logger } from '@nestjs/common';
import type { SverkaMetrics } from '../../metrics/sverka-metrics.js';
import { OneCError, OneCErrorCode } from '../onec.error.js';
import { buildQuery, resourceUrl } from './odata-url.js';

/** Retries (docs/protocols/onec-odata.md#responses-and-errors): 3 more attempts after 1 s, 4 s, 16 s. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 4000, 16000];
/** 60 s per request (docs/protocols/onec-odata.md#connection). */
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ODataHttpOptions {
  /** The service root, `…/odata/standard.odata` (ONEC_ODATA_URL). */
  baseUrl: string;
  user: string;
  password: string;
  /** Per request (default 60 000). */
  timeoutMs?: number;
  /** Waits before each retry (default 1 s, 4 s, 16 s); each gets ±`jitter` (default 0.2). Tests pass small ones. */
  retryDelaysMs?: readonly number[];
  jitter?: number;
  metrics?: SverkaMetrics;
  /** Injectable for tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export type RequestKind = 'data' | 'count' | 'metadata';

export interface ODataResponse {
  status: number;
  body: string;
  bytes: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One HTTP exchange with 1C, with the transport rules of docs/protocols/onec-odata.md#connection: Basic auth
 * (UTF-8) on every request, `$format=json` + `Accept: application/json` on data requests only, a timeout,
 * retries with jittered backoff on 5xx / timeouts / network errors, and OneCError mapping. Never logs
 * credentials.
 */
export class ODataHttp {
  private readonly log = new Logger('OneCOData');
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly delays: readonly number[];
  private readonly jitter: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: ODataHttpOptions) {
    this.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password}`, 'utf8').toString('base64')}`;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.jitter = opts.jitter ?? 0.2;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** The full URL of a resource and query (for tests and logs: it holds no credentials). */
  url(resource: string, query: Record<string, string | number | undefined>, kind: RequestKind): string {
    const q = kind === 'data' ? { $format: 'json', ...query } : query;
    return resourceUrl(this.opts.baseUrl, resource) + buildQuery(q);
  }

  /**
   * GET with retries. `notFound` says what a 404 means: `record` (entity by key: NOT_FOUND) or
   * `config` (unknown set or segment: CONFIGURATION). Returns the 2xx response.
   */
  async get(
    resource: string,
    query: Record<string, string | number | undefined>,
    kind: RequestKind,
    notFound: 'record' | 'config' = 'config',
  ): Promise<ODataResponse> {
    const url = this.url(resource, query, kind);
    const headers: Record<string, string> = { Authorization: this.authorization };
    if (kind === 'data') headers.Accept = 'application/json';
    let attempt = 0;
    for (;;) {
      let error: OneCError;
      try {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
        const buf = Buffer.from(await res.arrayBuffer());
        const body = buf.toString('utf8');
        if (res.ok) {
          this.count('ok');
          return { status: res.status, body, bytes: buf.length };
        }
        error = mapStatus(res.status, body, resource, notFound);
      } catch (e) {
        error = mapThrown(e, resource, this.timeoutMs);
      }
      this.count('error');
      if (!error.retryable || attempt >= this.delays.length) throw error;
      const delay = this.delays[attempt] * (1 + (Math.random() * 2 - 1) * this.jitter);
      attempt++;
      this.log.warn(
        `1C ${resource}: ${error.code} (${error.status ?? 'no status'}), retry ${attempt}/${this.delays.length} in ${Math.round(delay)} ms`,
      );
      await this.sleep(delay);
    }
  }

  /** GET a JSON document (collection or entity). */
  async getJson(
    resource: string,
    query: Record<string, string | number | undefined>,
    notFound: 'record' | 'config' = 'config',
  ): Promise<unknown> {
    const res = await this.get(resource, query, 'data', notFound);
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      throw new OneCError(OneCErrorCode.BAD_RESPONSE, `1C ${resource}: the response is not JSON`, res.status);
    }
  }

  private count(outcome: 'ok' | 'error'): void {
    this.opts.metrics?.onecRequests.inc({ outcome });
  }
}

/** The `odata.error` message text, when the body is the OData v3 error JSON; else a short note. */
export function errorText(body: string): string {
  try {
    const j = JSON.parse(body) as { 'odata.error'?: { code?: unknown; message?: { value?: unknown } } };
    const e = j['odata.error'];
    if (e)
      return `${typeof e.message?.value === 'string' ? e.message.value : 'error'} (code ${String(e.code)})`;
  } catch {
    // Web-server pages are HTML: fall through.
  }
  return body.trim() ? 'non-JSON error body' : 'empty body';
}

export function mapStatus(
  status: number,
  body: string,
  resource: string,
  notFound: 'record' | 'config',
): OneCError {
  const text = `1C ${resource}: HTTP ${status}: ${errorText(body)}`;
  if (status === 401 || status === 403)
    return new OneCError(
      OneCErrorCode.UNAUTHORIZED,
      `1C rejected the credentials (HTTP ${status}): check ONEC_USER, ONEC_PASSWORD and the user's rights`,
      status,
    );
  if (status === 404)
    return notFound === 'record'
      ? new OneCError(OneCErrorCode.NOT_FOUND, text, status)
      : new OneCError(
          OneCErrorCode.CONFIGURATION,
          `${text}: is the set published in the OData composition and spelt as in the mapping?`,
          status,
        );
  if (status >= 500 || status === 408 || status === 429)
    return new OneCError(OneCErrorCode.TEMPORARY, text, status);
  return new OneCError(OneCErrorCode.INVALID, text, status);
}

/** A thrown fetch error (timeout, network) as a OneCError. */
export function mapThrown(e: unknown, resource: string, timeoutMs: number): OneCError {
  if (e instanceof OneCError) return e;
  // Duck-typed: a DOMException or an error from another realm is not `instanceof Error` everywhere.
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown;
    cause?: { message?: unknown };
  };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return new OneCError(OneCErrorCode.TIMEOUT, `1C ${resource}: no answer within ${timeoutMs} ms`);
  const cause = typeof err.cause?.message === 'string' ? `: ${err.cause.message}` : '';
  return new OneCError(OneCErrorCode.TEMPORARY, `1C ${resource}: network error${cause}`);
}
