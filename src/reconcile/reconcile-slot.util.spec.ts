import { scheduleSlot } from './reconcile-slot.util.js';

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
