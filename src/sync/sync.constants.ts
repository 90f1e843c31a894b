/** pg-boss queue executing sync runs (any instance's worker takes the job). */
export const SYNC_RUN_QUEUE = 'sync-run';
/** pg-boss queue of delayed retries: a job enqueues an incremental run of the entity after the backoff. */
export const SYNC_RETRY_QUEUE = 'sync-retry';

/** CRM commands per batch: Bitrix24's `batch` takes ≤ 50, and amoCRM recommends ≤ 50 records per request. */
export const CRM_BATCH = 50;
/** 1C records fetched and planned together. */
export const FETCH_CHUNK = 500;

/**
 * Messages of the 1C change feed one feed run applies at most (each up to DEFAULT_FEED_LIMIT items); a
 * longer backlog is taken by the next pull, so a scheduled scan waiting for the sync slot gets its turn.
 */
export const FEED_MESSAGES_PER_RUN = 10;

/** Attempts of one record before it becomes a dead letter (sync_item_failure.dead). */
export const MAX_ATTEMPTS = 5;

/** Backoff before the retry after `attempt` failures: 30 s, 1 min, 2 min, … capped at 30 min. */
export function retryBackoffMs(attempt: number): number {
  return Math.min(30 * 60_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}

/** A `running` run whose heartbeat is older than this was left by a stopped instance. */
export const RUN_STALE_AFTER_MS = 5 * 60_000;
/** How often a running run refreshes heartbeat_at. */
export const HEARTBEAT_MS = 15_000;
