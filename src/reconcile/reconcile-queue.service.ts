import { Injectable, Optional, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { QueueService } from '../queue/queue.service.js';
import { RunQueue } from '../runs/run-queue.js';
import { RunSweeperService } from '../runs/run-sweeper.service.js';
import { MetricsRestoreService } from '../metrics/metrics-restore.service.js';
import { ReconcileMetricsRestore } from './reconcile-metrics.restore.js';
import { ActiveRunError } from '../runs/run.types.js';
import { RECONCILE_SLOT_RETRY_QUEUE, SLOT_RETRY_AFTER_SECONDS } from './reconcile.constants.js';
import type { RunRow } from './reconcile-run.repository.js';
import { ReconcileRunnerService, type RunRequest } from './reconcile-runner.service.js';
import { scheduleSlot } from './reconcile-slot.util.js';

/** A scheduled slot waiting for the active run to end. */
export interface SlotRetry {
  slot: string;
  timeZone: string;
}

/**
 * Runs on the shared queue (src/runs/run-queue.ts): the API and the scheduler create the run row and
 * enqueue it; whichever instance's worker takes the job executes it. Dead runs are recovered by the run
 * sweeper on every instance.
 */
@Injectable()
export class ReconcileQueueService implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger(ReconcileQueueService.name);
  private readonly runs: RunQueue<RunRow>;

  constructor(
    private readonly queue: QueueService,
    private readonly runner: ReconcileRunnerService,
    private readonly sweeper: RunSweeperService,
    @Optional() private readonly metricsRestore?: MetricsRestoreService,
  ) {
    this.runs = new RunQueue(queue, runner.lifecycle, (id) => runner.execute(id));
  }

  onModuleInit(): void {
    this.sweeper.register(this.runner.lifecycle);
    this.metricsRestore?.register(new ReconcileMetricsRestore(this.runner.runs.db));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runs.work();
    await this.queue.createQueue(RECONCILE_SLOT_RETRY_QUEUE, { retryLimit: 0 });
    await this.queue.work<SlotRetry>(RECONCILE_SLOT_RETRY_QUEUE, async (job) => {
      await this.retrySlot(job.data);
    });
  }

  /**
   * Enqueues the scheduled run of a slot (idempotent per slot). When another run is active the slot is
   * not lost: a durable retry job tries again in SLOT_RETRY_AFTER_SECONDS. Returns null when deferred.
   */
  async enqueueScheduled(slot: string, timeZone: string): Promise<RunRow | null> {
    try {
      return await this.enqueue({ trigger: 'schedule', slot });
    } catch (e) {
      if (!(e instanceof ActiveRunError)) throw e;
      await this.queue.send<SlotRetry>(
        RECONCILE_SLOT_RETRY_QUEUE,
        { slot, timeZone },
        { startAfter: SLOT_RETRY_AFTER_SECONDS, retryLimit: 0 },
      );
      this.log.warn(
        `scheduled reconciliation for ${slot} waits: run ${e.activeRunId} is active; trying again in ${SLOT_RETRY_AFTER_SECONDS} s`,
      );
      return null;
    }
  }

  /**
   * Catch-up after a start: when the schedule fired today at `fired` and no run at all was created
   * since (the service was down or restarting at that time), today's scheduled run is enqueued now.
   */
  async catchUp(slot: string, timeZone: string, fired: Date): Promise<RunRow | null> {
    if (await this.runner.runs.createdSince(fired)) return null;
    this.log.warn(
      `the scheduled reconciliation of ${slot} (due ${fired.toISOString()}) did not run: no instance was up; starting it now`,
    );
    return this.enqueueScheduled(slot, timeZone);
  }

  /** A deferred slot's next try; gives up (logged) once the slot's day is over in its time zone. */
  async retrySlot(retry: SlotRetry, now = new Date()): Promise<RunRow | null> {
    if (scheduleSlot(now, retry.timeZone) !== retry.slot) {
      this.log.error(
        `scheduled reconciliation for ${retry.slot} did not run: another run stayed active until the day was over`,
      );
      return null;
    }
    const run = await this.enqueueScheduled(retry.slot, retry.timeZone);
    if (run)
      this.log.log(`deferred scheduled reconciliation for ${retry.slot}: run ${run.id} (${run.status})`);
    return run;
  }

  /** Creates the run (idempotent per key / slot; ActiveRunError while a live one is active) and enqueues it. */
  async enqueue(req: RunRequest): Promise<RunRow> {
    return this.runs.enqueue(this.runner.runInput(req));
  }
}
