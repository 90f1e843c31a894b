import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueService } from '../queue/queue.service.js';
import { RECONCILE_QUEUE } from './reconcile.constants.js';
import { ActiveRunError, type RunRow } from './reconcile-run.repository.js';
import { ReconcileRunnerService, type RunRequest } from './reconcile-runner.service.js';

/**
 * Runs go through the shared pg-boss queue: the API and the scheduler create the run row and enqueue
 * its id; whichever instance's worker takes the job executes it. On start, runs left `running` by a
 * crashed instance are recovered.
 */
@Injectable()
export class ReconcileQueueService implements OnApplicationBootstrap {
  private readonly log = new Logger(ReconcileQueueService.name);

  constructor(
    private readonly queue: QueueService,
    private readonly runner: ReconcileRunnerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const recovered = await this.runner.recoverStale();
    if (recovered.length)
      this.log.warn(`recovered ${recovered.length} stale reconciliation run(s): ${recovered.join(', ')}`);
    await this.queue.createQueue(RECONCILE_QUEUE, { retryLimit: 0 });
    await this.queue.work<{ runId: string }>(RECONCILE_QUEUE, async (job) => {
      await this.runner.execute(job.data.runId);
    });
  }

  /** Creates the run (idempotent per key / slot; ActiveRunError while another is active) and enqueues it. */
  async enqueue(req: RunRequest): Promise<RunRow> {
    let result: Awaited<ReturnType<ReconcileRunnerService['create']>>;
    try {
      result = await this.runner.create(req);
    } catch (e) {
      // The active run may be one a crashed instance left `running`: recover it, then try once more.
      if (!(e instanceof ActiveRunError) || !(await this.runner.recoverStale()).includes(e.activeRunId))
        throw e;
      result = await this.runner.create(req);
    }
    const { run, created } = result;
    if (created)
      await this.queue.send(RECONCILE_QUEUE, { runId: run.id }, { singletonKey: run.id, retryLimit: 0 });
    return run;
  }
}
