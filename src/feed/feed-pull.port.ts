/**
 * How the doorbell and the poll reach the feed pull. Two seams:
 *
 * - `FeedPullTrigger` (token FEED_PULL_TRIGGER): "pull the change feed soon". Callers (the doorbell
 *   endpoint, the poll schedule) never wait for the pull and never run it themselves. Implemented by
 *   FeedPullGate: at most one pull runs and at most one more is due, whatever the number of requests.
 * - `FeedPull` (token FEED_PULL): one pull — build a 1C message, fetch the named records by key, run them
 *   through sync's plan and apply, and acknowledge only when every item is written, skipped or
 *   dead-lettered. Until sync provides it, a placeholder that does nothing (NoopFeedPull) stands in.
 */
export interface FeedPullTrigger {
  /** Asks for a pull; returns at once. */
  request(): void;
}

export interface FeedPull {
  /** One pull of the change feed; rejects on failure (logged by the gate; the next request tries again). */
  pull(): Promise<void>;
}

export const FEED_PULL_TRIGGER = Symbol('FeedPullTrigger');
export const FEED_PULL = Symbol('FeedPull');
