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
