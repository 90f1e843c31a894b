/** Fixed numbers of amoCRM API v4 that the adapter relies on (docs/protocols/amocrm.md). */

/** The record types Sverka writes, as amoCRM names them (deals are leads). */
export type AmoEntity = 'companies' | 'contacts' | 'leads';

/** Rows per list page: amoCRM's maximum `limit` (docs/protocols/amocrm.md#lists). */
export const PAGE_LIMIT = 250;
/**
 * Items per add or update request. amoCRM takes 250, but it and its SDK recommend at most 50 and answer
 * a slow large batch with 504 — whose write may have been saved (docs/protocols/amocrm.md#adds).
 */
export const WRITE_CHUNK = 50;
/**
 * Values of one `filter[…]` list per request (ids of getMany, 1C keys of findByExternalKey): keeps the
 * request line near 4 KB, under the 8 KB request-header buffers of common front-end servers.
 */
export const FILTER_CHUNK = 100;
export const KEY_FILTER_CHUNK = 40;
/** INNs (10–12 digits) of one `filter[custom_fields_values][<ИНН>][]` request of matching. */
export const INN_FILTER_CHUNK = 50;

/** The two closed statuses every pipeline has, with the same ids in every pipeline (docs/protocols/amocrm.md#pipelines). */
export const WON_STATUS = 142;
export const LOST_STATUS = 143;

/** 5xx, timeouts and network errors: retried after these waits (±20 %); a write is settled first. */
export const TRANSIENT_DELAYS_MS = [1000, 2000, 4000] as const;
/** 429 without `retry_after` (amoCRM's HTML page): waits before each retry. */
export const RATE_LIMIT_DELAYS_MS = [1000, 2000, 4000, 8000, 16000] as const;
/** The longest `retry_after` honoured (seconds); amoCRM's example says 300. */
export const MAX_RETRY_AFTER_S = 300;
export const JITTER = 0.2;
/** Per HTTP request. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Added to the one-second window of the client's limiter: a request sent exactly a second after the one
 * seven before it may reach amoCRM a little sooner than that (network jitter), and amoCRM counts arrivals.
 */
export const WINDOW_MARGIN_MS = 50;
/** Custom fields and pipeline statuses are re-read after this long (listStages' cache). */
export const SCHEMA_TTL_MS = 10 * 60_000;
