import { CronTime } from 'cron';

/**
 * The schedule slot of a tick: the cron occurrence the tick fires for (the first occurrence after
 * `now − toleranceMs`), so every instance ticking for the same occurrence computes the same slot and
 * the UNIQUE slot keeps exactly one run. Pure.
 */
export function syncSlot(cron: string, timeZone: string, now: Date, toleranceMs = 2000): Date {
  const t = new CronTime(cron, timeZone);
  return t.getNextDateFrom(new Date(now.getTime() - toleranceMs), timeZone).toJSDate();
}
