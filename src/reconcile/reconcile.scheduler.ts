import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { scheduleRuns, unschedule } from '../runs/run-schedule.js';
import { describeError } from '../common/describe-error.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { ReconcileQueueService } from './reconcile-queue.service.js';
import type { RunRow } from './reconcile-run.repository.js';
import { firedToday, scheduleSlot } from './reconcile-slot.util.js';

const JOB = 'reconcile-daily';

/** How long after a start the missed-run check waits (a rolling restart's other instances come up meanwhile). */
export const CATCH_UP_DELAY_MS = 60_000;

/**
 * RECONCILE_CRON in SCHEDULE_TZ (off when SCHEDULER_ENABLED=false). A tick only enqueues a run for
 * the day's slot; the UNIQUE slot makes it exactly one run per day across any number of instances.
 */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ReconcileScheduler.name);
  private catchUpTimer?: NodeJS.Timeout;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly registry: SchedulerRegistry,
    private readonly queue: ReconcileQueueService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.SCHEDULER_ENABLED) return;
    scheduleRuns(this.registry, JOB, this.settings.RECONCILE_CRON, this.settings.SCHEDULE_TZ, () =>
      this.tick(),
    );
    this.log.log(
      `reconciliation scheduled: "${this.settings.RECONCILE_CRON}" in ${this.settings.SCHEDULE_TZ}`,
    );
    this.catchUpTimer = setTimeout(() => void this.catchUp(), CATCH_UP_DELAY_MS);
    this.catchUpTimer.unref();
  }

  /**
   * A day's run missed because no instance was up when the schedule fired is run late rather than
   * skipped: when the schedule fired earlier today and no run was created since, today's is enqueued.
   */
  async catchUp(now = new Date()): Promise<RunRow | null> {
    const tz = this.settings.SCHEDULE_TZ;
    try {
      const fired = firedToday(this.settings.RECONCILE_CRON, tz, now);
      return fired ? await this.queue.catchUp(scheduleSlot(now, tz), tz, fired) : null;
    } catch (e) {
      this.log.error(`missed-run check failed: ${describeError(e)}`);
      return null;
    }
  }

  onApplicationShutdown(): void {
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    unschedule(this.registry, JOB);
  }

  /**
   * Enqueues today's scheduled run (no-op when another instance already did). While another run is
   * active the slot is deferred, not skipped: it is tried again every minute until that run ends.
   */
  async tick(now = new Date()): Promise<void> {
    const slot = scheduleSlot(now, this.settings.SCHEDULE_TZ);
    try {
      const run = await this.queue.enqueueScheduled(slot, this.settings.SCHEDULE_TZ);
      if (run) this.log.log(`scheduled reconciliation for ${slot}: run ${run.id} (${run.status})`);
    } catch (e) {
      this.log.error(`scheduled reconciliation for ${slot} could not be enqueued: ${describeError(e)}`);
    }
  }
}
