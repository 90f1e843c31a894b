import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { describeError } from '../common/describe-error.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { SyncQueueService } from './sync-queue.service.js';
import { syncSlot } from './sync-slot.js';
import { ActiveSyncError } from './sync-store.js';

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
    const job = CronJob.from({
      cronTime: this.settings.SYNC_CRON,
      timeZone: this.settings.SCHEDULE_TZ,
      onTick: () => void this.tick(),
      start: true,
    });
    this.registry.addCronJob(JOB, job as never);
    this.log.log(`sync scheduled: "${this.settings.SYNC_CRON}" in ${this.settings.SCHEDULE_TZ}`);
  }

  onApplicationShutdown(): void {
    if (this.registry.doesExist('cron', JOB)) this.registry.deleteCronJob(JOB);
  }

  async tick(now = new Date()): Promise<void> {
    const slot = syncSlot(this.settings.SYNC_CRON, this.settings.SCHEDULE_TZ, now);
    try {
      const run = await this.queue.enqueue({ trigger: 'schedule', slot });
      this.log.log(`scheduled sync for ${slot.toISOString()}: run ${run.id} (${run.status})`);
    } catch (e) {
      if (e instanceof ActiveSyncError)
        this.log.warn(`scheduled sync for ${slot.toISOString()} not started: run ${e.activeRunId} is active`);
      else this.log.error(`scheduled sync for ${slot.toISOString()} could not be enqueued: ${describeError(e)}`);
    }
  }
}
