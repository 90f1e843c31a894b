/**
 * `sverka_feed_lag_seconds`: how long the change feed has not been caught up. 0 while nothing waits
 * (`pending` 0); otherwise the whole seconds since it was last seen caught up (or since `caughtUpAtMs`
 * was first set, at start). 1C records no time of a change, so this is the best honest measure.
 */
export function feedLagSeconds(caughtUpAtMs: number, pending: number, nowMs: number): number {
  if (pending <= 0) return 0;
  return Math.max(0, Math.floor((nowMs - caughtUpAtMs) / 1000));
}
