import {
  Inject,
  Injectable,
  Optional,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { describeError } from '../common/describe-error.js';
import type { SyncEntity } from '../common/vocabulary.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { QueueService } from '../queue/queue.service.js';
import { RunQueue } from '../runs/run-queue.js';
import { RunSweeperService } from '../runs/run-sweeper.service.js';
import { MetricsRestoreService } from '../metrics/metrics-restore.service.js';
import { SyncMetricsRestore } from './sync-metrics.restore.js';
import { ActiveRunError } from '../runs/run.types.js';
import { SYNC_RETRY_QUEUE } from './sync.constants.js';
import { crashHook } from './crash-hook.js';
import { SyncRunnerService, syncRunInput, type SyncRequest } from './sync-runner.service.js';
import type { SyncRunRow } from './sync-store.js';

/**
 * Sync runs on the shared queue (src/runs/run-queue.ts): the API and the scheduler create the run and
 * enqueue it; any instance's worker executes it. Retry jobs (failed records, after the backoff) enqueue
 * an incremental run of their entity. Dead runs are recovered by the run sweeper, on every instance.
 */
@Injectable()
export class SyncQueueService implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger(SyncQueueService.name);
  private readonly runs: RunQueue<SyncRunRow>;

  constructor(
    private readonly queue: QueueService,
    private readonly runner: SyncRunnerService,
    private readonly sweeper: RunSweeperService,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Optional() private readonly metricsRestore?: MetricsRestoreService,
  ) {
    this.runs = new RunQueue(queue, runner.runs, (id) => runner.execute(id));
  }

  onModuleInit(): void {
    this.sweeper.register(this.runner.runs);
    this.metricsRestore?.register(new SyncMetricsRestore(this.runner.store.db));
    // Crash tests of the service process (SYNC_CRASH_AT); never set in production.
    if (this.settings.SYNC_CRASH_AT) this.runner.hook = crashHook(this.settings.SYNC_CRASH_AT);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runs.work();
    await this.queue.createQueue(SYNC_RETRY_QUEUE, { retryLimit: 0 });
    await this.queue.work<{ entity: SyncEntity }>(SYNC_RETRY_QUEUE, async (job) => {
      try {
        await this.enqueue({ trigger: 'schedule', entities: [job.data.entity] });
      } catch (e) {
        // An active run retries the records anyway (their DataVersion is not stored).
        if (!(e instanceof ActiveRunError)) this.log.warn(`sync retry not enqueued: ${describeError(e)}`);
      }
    });
  }

  /** Creates the run (one per slot; ActiveRunError while another is live) and enqueues it. */
  async enqueue(req: SyncRequest): Promise<SyncRunRow> {
    return this.runs.enqueue(syncRunInput(req, this.runner.enabled));
  }
}
