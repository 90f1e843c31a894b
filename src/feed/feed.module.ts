import { Logger, Module } from '@nestjs/common';
import { describeError } from '../common/describe-error.js';
import { DoorbellSignatureGuard } from './doorbell-signature.guard.js';
import { FeedMetricsService } from './feed-metrics.service.js';
import { FeedPollScheduler } from './feed-poll.scheduler.js';
import { FeedPullGate } from './feed-pull-gate.js';
import { FEED_PULL, FEED_PULL_TRIGGER, type FeedPull } from './feed-pull.port.js';
import { OneCEventsController } from './onec-events.controller.js';
import { FeedPullService } from '../sync/feed-pull.service.js';
import { SyncModule } from '../sync/sync.module.js';

/**
 * The near-real-time path from 1C (docs/protocols/onec-change-feed.md): the signed doorbell
 * `POST /api/v1/events/onec`, the poll every ONEC_FEED_POLL_SECONDS, and the gate that turns both into
 * one feed pull at a time (FEED_PULL_TRIGGER). The pull itself is FEED_PULL, sync's FeedPullService (a
 * sync run of its own); after each pull the feed metrics are set from what 1C reported. Needs the global
 * SETTINGS; uses the global SverkaMetrics when present.
 */
@Module({
  imports: [SyncModule],
  controllers: [OneCEventsController],
  providers: [
    DoorbellSignatureGuard,
    FeedMetricsService,
    FeedPollScheduler,
    { provide: FEED_PULL, useExisting: FeedPullService },
    {
      provide: FEED_PULL_TRIGGER,
      inject: [FEED_PULL, FeedMetricsService],
      useFactory: (feedPull: FeedPull, metrics: FeedMetricsService) => {
        const log = new Logger('FeedPull');
        return new FeedPullGate({
          pull: async () => {
            const result = await feedPull.pull();
            if (result?.pending !== undefined) metrics.observe(result.pending);
            return result;
          },
          onError: (e) => log.warn(`change feed pull failed: ${describeError(e)}`),
        });
      },
    },
  ],
  exports: [FEED_PULL_TRIGGER, FeedMetricsService],
})
export class FeedModule {}
