import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { describeError } from '../common/describe-error.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { ReportDeliveryService } from './report-delivery.service.js';

const JOB = 'report-catch-up';

/** Every 10 minutes: reports that should have gone out and did not (see deliverPending). */
export const REPORT_CATCH_UP_CRON = '*/10 * * * *';

/**
 * Sends reports the reconcile runner could not (stopped instance, SMTP down for all attempts).
 * Off when SCHEDULER_ENABLED=false or without ScheduleModule. Safe on every instance: delivery takes
 * a per-run lock and checks for a successful row first.
 */
@Injectable()
export class ReportScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ReportScheduler.name);

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly delivery: ReportDeliveryService,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.SCHEDULER_ENABLED || !this.registry || !this.settings.REPORT_TO) return;
    const job = CronJob.from({
      cronTime: REPORT_CATCH_UP_CRON,
      timeZone: this.settings.SCHEDULE_TZ,
      onTick: () => void this.tick(),
      start: true,
    });
    this.registry.addCronJob(JOB, job as never);
  }

  onApplicationShutdown(): void {
    if (this.registry?.doesExist('cron', JOB)) this.registry.deleteCronJob(JOB);
  }

  async tick(now = new Date()): Promise<void> {
    try {
      const results = await this.delivery.deliverPending(now);
      for (const r of results) this.log.log(`report catch-up run=${r.runId} outcome=${r.outcome}`);
    } catch (e) {
      this.log.error(`report catch-up failed: ${describeError(e)}`);
    }
  }
}
