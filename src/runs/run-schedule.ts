import type { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';

/**
 * Registers a cron job whose tick only enqueues a run (the work runs on whichever instance's worker takes
 * it). One shape for every scheduled run: a cron string and time zone from settings, a named job that
 * `unschedule` removes on shutdown.
 */
export function scheduleRuns(
  registry: SchedulerRegistry,
  name: string,
  cronTime: string,
  timeZone: string,
  tick: () => Promise<void>,
): void {
  const job = CronJob.from({ cronTime, timeZone, onTick: () => void tick(), start: true });
  registry.addCronJob(name, job as never);
}

export function unschedule(registry: SchedulerRegistry, name: string): void {
  if (registry.doesExist('cron', name)) registry.deleteCronJob(name);
}
