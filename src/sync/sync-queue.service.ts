import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { describeError } from '../common/describe-error.js';
import type { SyncEntity } from '../common/vocabulary.js';
import { QueueService } from '../queue/queue.service.js';
import { SYNC_RETRY_QUEUE, SYNC_RUN_QUEUE } from './sync.constants.js';
import { SyncRunnerService, type SyncRequest } from './sync-runner.service.js';
import { ActiveSyncError, type SyncRunRow } from './sync-store.js';

/**
 * Sync runs go through the shared pg-boss queue: the API and the scheduler create the run row and
 * enqueue its id; whichever instance's worker takes the job executes it. Retry jobs (failed records,
 * after the backoff) enqueue an incremental run of their entity. On start, stale runs are recovered.
 */
@Injectable()
export class SyncQueueService implements OnApplicationBootstrap {
  private readonly log = new Logger(SyncQueueService.name);

  constructor(
    private readonly queue: QueueService,
    private readonly runner: SyncRunnerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const recovered = await this.runner.recoverStale();
    if (recovered.length) this.log.warn(`recovered ${recovered.length} stale sync run(s): ${recovered.join(', ')}`);
    await this.queue.createQueue(SYNC_RUN_QUEUE, { retryLimit: 0 });
    await this.queue.createQueue(SYNC_RETRY_QUEUE, { retryLimit: 0 });
    await this.queue.work<{ runId: string }>(SYNC_RUN_QUEUE, async (job) => {
      await this.runner.execute(job.data.runId);
    });
    await this.queue.work<{ entity: SyncEntity }>(SYNC_RETRY_QUEUE, async (job) => {
      try {
        await this.enqueue({ trigger: 'schedule', entities: [job.data.entity] });
      } catch (e) {
        // An active run retries the records anyway (their DataVersion is not stored).
        if (!(e instanceof ActiveSyncError)) this.log.warn(`sync retry not enqueued: ${describeError(e)}`);
      }
    });
  }

  /** Creates the run (one per slot; ActiveSyncError while another is active) and enqueues it. */
  async enqueue(req: SyncRequest): Promise<SyncRunRow> {
    const { run, created } = await this.runner.create(req);
    if (created) await this.queue.send(SYNC_RUN_QUEUE, { runId: run.id }, { singletonKey: run.id, retryLimit: 0 });
    return run;
  }
}
