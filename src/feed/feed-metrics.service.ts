import { Injectable, Optional } from '@nestjs/common';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { feedLagSeconds } from './feed-lag.util.js';

/**
 * Keeps `sverka_feed_pending` and `sverka_feed_lag_seconds` from what 1C last said about its
 * registrations: the doorbell's `pending`, and (once the pull is wired) `GET /state` or an ack.
 */
@Injectable()
export class FeedMetricsService {
  private caughtUpAt: number;

  constructor(
    @Optional() private readonly metrics?: SverkaMetrics,
    @Optional() private readonly now: () => number = Date.now,
  ) {
    this.caughtUpAt = this.now();
  }

  /** Records what 1C reported: `pending` registrations not yet acknowledged. */
  observe(pending: number): void {
    const now = this.now();
    if (pending <= 0) this.caughtUpAt = now;
    this.metrics?.feedPending.set(Math.max(0, pending));
    this.metrics?.feedLag.set(feedLagSeconds(this.caughtUpAt, pending, now));
  }
}
