import { Injectable, Optional } from '@nestjs/common';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { feedLagSeconds } from './feed-lag.util.js';

/**
 * Keeps `sverka_feed_pending` and `sverka_feed_lag_seconds` from what 1C last said about its
 * registrations: the doorbell's `pending`, and after each pull (its acknowledgements done) `GET /state`.
 */
@Injectable()
export class FeedMetricsService {
  /** When the feed was last seen caught up (at first: when the service started). */
  private caughtUpAt = Date.now();

  constructor(@Optional() private readonly metrics?: SverkaMetrics) {}

  /** Records what 1C reported: `pending` registrations not yet acknowledged (at `now`, ms). */
  observe(pending: number, now = Date.now()): void {
    if (pending <= 0) this.caughtUpAt = now;
    this.metrics?.feedPending.set(Math.max(0, pending));
    this.metrics?.feedLag.set(feedLagSeconds(this.caughtUpAt, pending, now));
  }
}
