import { syncSlot } from './sync-slot.js';

describe('syncSlot', () => {
  it('gives the occurrence a tick fires for, the same on every instance', () => {
    const a = syncSlot('*/15 * * * *', 'Europe/Moscow', new Date('2026-11-28T09:15:00.050Z'));
    const b = syncSlot('*/15 * * * *', 'Europe/Moscow', new Date('2026-11-28T09:15:01.200Z'));
    expect(a.toISOString()).toBe('2026-11-28T09:15:00.000Z');
    expect(b.toISOString()).toBe(a.toISOString());
  });
  it('seconds-level crons', () => {
    expect(syncSlot('*/5 * * * * *', 'UTC', new Date('2026-11-28T09:15:05.300Z')).toISOString()).toBe(
      '2026-11-28T09:15:05.000Z',
    );
  });
});
