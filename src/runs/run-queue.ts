import type { QueueService } from '../queue/queue.service.js';
import type { RunLifecycle } from './run-lifecycle.js';
import type { CreateRunInput } from './run.repository.js';
import type { RunRowBase } from './run.types.js';

/**
 * A kind's runs on the shared pg-boss queue: the API and the schedulers create the run row and enqueue
 * its id; whichever instance's worker takes the job executes it. The job id is stored on the row so that
 * any instance can tell a queued run that waits from one whose job is gone.
 */
export class RunQueue<Row extends RunRowBase> {
  constructor(
    private readonly queue: QueueService,
    private readonly lifecycle: RunLifecycle<Row>,
    private readonly execute: (runId: string) => Promise<unknown>,
  ) {}

  /** Registers this instance's worker. */
  async work(): Promise<void> {
    const name = this.lifecycle.spec.queue;
    await this.queue.createQueue(name, { retryLimit: 0 });
    await this.queue.work<{ runId: string }>(name, async (job) => {
      await this.execute(job.data.runId);
    });
  }

  /** Creates the run (ActiveRunError while another is live) and enqueues it when it is new. */
  async enqueue(input: CreateRunInput): Promise<Row> {
    const { run, created } = await this.lifecycle.create(input);
    if (created) {
      const jobId = await this.queue.send(
        this.lifecycle.spec.queue,
        { runId: run.id },
        { singletonKey: run.id, retryLimit: 0 },
      );
      if (jobId) {
        await this.lifecycle.repo.setJob(run.id, jobId);
        run.job_id = jobId;
      }
    }
    return run;
  }
}
