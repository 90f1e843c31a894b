import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { describeError } from '../common/describe-error.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { SyncQueueService } from './sync-queue.service.js';
import { syncSlot } from './sync-slot.js';
import { scheduleRuns, unschedule } from '../runs/run-schedule.js';
import { ActiveRunError } from '../runs/run.types.js';

const JOB = 'sync';

/**
 * SYNC_CRON in SCHEDULE_TZ (off when SCHEDULER_ENABLED=false). A tick only enqueues a run for its
 * slot; the UNIQUE slot gives exactly one run per slot across instances, the partial unique index
 * never two runs at once.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SyncScheduler.name);

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly registry: SchedulerRegistry,
    private readonly queue: SyncQueueService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.SCHEDULER_ENABLED) return;
    scheduleRuns(this.registry, JOB, this.settings.SYNC_CRON, this.settings.SCHEDULE_TZ, () => this.tick());
    this.log.log(`sync scheduled: "${this.settings.SYNC_CRON}" in ${this.settings.SCHEDULE_TZ}`);
  }

  onApplicationShutdown(): void {
    unschedule(this.registry, JOB);
  }

  async tick(now = new Date()): Promise<void> {
    const slot = syncSlot(this.settings.SYNC_CRON, this.settings.SCHEDULE_TZ, now);
    try {
      const run = await this.queue.enqueue({ trigger: 'schedule', slot });
      this.log.log(`scheduled sync for ${slot.toISOString()}: run ${run.id} (${run.status})`);
    } catch (e) {
      if (e instanceof ActiveRunError)
        this.log.warn(`scheduled sync for ${slot.toISOString()} not started: run ${e.activeRunId} is active`);
      else this.log.error(`scheduled sync for ${slot.toISOString()} could not be enqueued: ${describeError(e)}`);
    }
  }
}
