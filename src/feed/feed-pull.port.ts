/**
 * How the doorbell and the poll reach the feed pull. Two seams:
 *
 * - `FeedPullTrigger` (token FEED_PULL_TRIGGER): "pull the change feed soon". Callers (the doorbell
 *   endpoint, the poll schedule) never wait for the pull and never run it themselves. Implemented by
 *   FeedPullGate: at most one pull runs and at most one more is due, whatever the number of requests.
 * - `FeedPull` (token FEED_PULL): one pull — build a 1C message, fetch the named records by key, run them
 *   through sync's plan and apply, and acknowledge only when every item is written, skipped or
 *   dead-lettered. Provided by sync (src/sync/feed-pull.service.ts): a pull is a sync run of its own.
 */
export interface FeedPullTrigger {
  /** Asks for a pull; returns at once. */
  request(): void;
}

/** What one pull tells the gate. */
export interface FeedPullResult {
  /** Another sync holds the sync slot (or a scheduled scan waits for it): pull again a little later. */
  busy?: boolean;
  /** More changes wait than one run takes: pull again (as soon as the gate allows). */
  again?: boolean;
  /** Changes 1C reported as waiting after the pull (for `sverka_feed_pending` and `sverka_feed_lag_seconds`). */
  pending?: number;
}

export interface FeedPull {
  /** One pull of the change feed; rejects on failure (logged by the gate; the next request tries again). */
  pull(): Promise<FeedPullResult | void>;
}

export const FEED_PULL_TRIGGER = Symbol('FeedPullTrigger');
export const FEED_PULL = Symbol('FeedPull');
