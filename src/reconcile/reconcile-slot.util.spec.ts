import { firedToday, scheduleSlot } from './reconcile-slot.util.js';

describe('scheduleSlot', () => {
  it('is the local date in the schedule time zone', () => {
    // 22:30 UTC on the 27th is 01:30 on the 28th in Moscow (UTC+3).
    expect(scheduleSlot(new Date('2026-11-27T22:30:00Z'), 'Europe/Moscow')).toBe('2026-11-28');
    expect(scheduleSlot(new Date('2026-11-27T22:30:00Z'), 'UTC')).toBe('2026-11-27');
  });
  it('two ticks on the same local day share the slot', () => {
    expect(scheduleSlot(new Date('2026-11-28T03:00:00Z'), 'Europe/Moscow')).toBe(
      scheduleSlot(new Date('2026-11-28T20:59:00Z'), 'Europe/Moscow'),
    );
  });
});

describe('firedToday', () => {
  const daily = '0 6 * * *';
  it("is today's fire time once it has passed, in the schedule time zone", () => {
    // 06:00 in Moscow is 03:00 UTC.
    expect(firedToday(daily, 'Europe/Moscow', new Date('2026-11-29T03:00:00Z'))?.toISOString()).toBe(
      '2026-11-29T03:00:00.000Z',
    );
    expect(firedToday(daily, 'Europe/Moscow', new Date('2026-11-29T20:59:59Z'))?.toISOString()).toBe(
      '2026-11-29T03:00:00.000Z',
    );
  });
  it("is null before today's fire time (yesterday's does not count)", () => {
    expect(firedToday(daily, 'Europe/Moscow', new Date('2026-11-29T02:59:59Z'))).toBeNull();
    // 22:30 UTC on the 28th is already the 29th in Moscow: 06:00 of the 29th is still ahead.
    expect(firedToday(daily, 'Europe/Moscow', new Date('2026-11-28T22:30:00Z'))).toBeNull();
  });
  it('with several fire times a day, the latest one not after now', () => {
    expect(firedToday('0 */4 * * *', 'UTC', new Date('2026-11-29T09:30:00Z'))?.toISOString()).toBe(
      '2026-11-29T08:00:00.000Z',
    );
  });
});
