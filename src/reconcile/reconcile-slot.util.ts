import { CronTime } from 'cron';

/**
 * The schedule slot of a tick: the local date in the schedule's time zone (`YYYY-MM-DD`), so every
 * instance firing for the same day computes the same slot and the UNIQUE slot keeps one run. Pure.
 */
export function scheduleSlot(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * When the schedule last fired today: the latest fire time of `cronExpr` at or before `now` that falls
 * on the same local day (in `timeZone`) as `now`; null when it has not fired yet today. Pure.
 */
export function firedToday(cronExpr: string, timeZone: string, now: Date): Date | null {
  const ct = new CronTime(cronExpr, timeZone);
  const today = scheduleSlot(now, timeZone);
  let last: Date | null = null;
  // Fire times are strictly increasing; a day has at most 1 440 minutes (86 400 for second-level crons).
  let t = ct.getNextDateFrom(new Date(now.getTime() - 86_400_000), timeZone).toJSDate();
  while (t.getTime() <= now.getTime()) {
    if (scheduleSlot(t, timeZone) === today) last = t;
    t = ct.getNextDateFrom(t, timeZone).toJSDate();
  }
  return last;
}
