import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { describeError } from '../common/describe-error.js';
import { SYNC_ENTITIES } from '../common/vocabulary.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import type { FeedPull, FeedPullResult } from '../feed/feed-pull.port.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { ONEC_FEED_PORT, type OneCFeedPort } from '../onec/feed/onec-feed.port.js';
import { ActiveRunError } from '../runs/run.types.js';
import { FEED_MESSAGES_PER_RUN } from './sync.constants.js';
import { SyncRunnerService } from './sync-runner.service.js';
import { SyncScheduler } from './sync.scheduler.js';

/**
 * One pull of the 1C change feed (FEED_PULL; the doorbell and the poll reach it through the gate in
 * src/feed/): asks 1C what waits (`GET /state`, builds no message); when something does, takes the sync
 * slot with a feed run (`trigger: 'feed'`, src/sync/sync-runner.service.ts) that applies and acknowledges
 * the messages, then reads the state again. Never a second writer: while another sync holds the slot, or a
 * scheduled scan waits for it, the pull answers `busy` and the gate tries again shortly. What 1C said and
 * when Sverka pulled are kept in `onec_feed_state` (GET /api/v1/sync/status). A pull that finds the feed
 * caught up counts as a successful sync of every entity (`sverka_sync_last_success_timestamp_seconds`):
 * with the feed on, the scan runs once a day and a quiet 1C is not a stale sync.
 */
@Injectable()
export class FeedPullService implements FeedPull {
  private readonly log = new Logger('FeedPull');

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly runner: SyncRunnerService,
    @Inject(ONEC_FEED_PORT) private readonly feed: OneCFeedPort,
    private readonly scheduler: SyncScheduler,
    @Optional() @Inject(SverkaMetrics) private readonly metrics?: SverkaMetrics | null,
  ) {}

  async pull(): Promise<FeedPullResult> {
    if (!this.settings.ONEC_FEED_URL) return {};
    if (this.scheduler.scanWaiting || (await this.runner.runs.repo.active())) return { busy: true };
    const at = new Date();
    let runId: string | null = null;
    try {
      const before = await this.feed.state();
      await this.runner.feedState.observed(before, at);
      if (before.pending === 0) {
        await this.runner.feedState.pulled(at, null, null);
        this.caughtUp(at);
        return { pending: 0 };
      }
      try {
        runId = (await this.runner.create({ trigger: 'feed' })).run.id;
      } catch (e) {
        if (e instanceof ActiveRunError) return { busy: true };
        throw e;
      }
      await this.runner.execute(runId);
      const run = await this.runner.store.getRun(runId);
      const after = await this.feed.state();
      const seen = new Date();
      await this.runner.feedState.observed(after, seen);
      if (after.pending === 0) this.caughtUp(seen);
      await this.runner.feedState.pulled(at, runId, run?.status === 'failed' ? run.error : null);
      if (run?.status === 'failed') this.log.warn(`change feed run ${runId} failed: ${run.error}`);
      const messages = run?.feed?.messages ?? [];
      // The run stopped at its message cap with everything acknowledged: the rest waits for the next pull, at once.
      const again =
        messages.length >= FEED_MESSAGES_PER_RUN && messages.every((m) => m.acked) && after.pending > 0;
      return { pending: after.pending, again };
    } catch (e) {
      await this.runner.feedState.pulled(at, runId, describeError(e)).catch(() => undefined);
      throw e;
    }
  }

  private caughtUp(at: Date): void {
    for (const entity of SYNC_ENTITIES)
      this.metrics?.syncLastSuccess.set({ entity }, Math.floor(at.getTime() / 1000));
  }
}
