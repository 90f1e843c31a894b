import { isRunStale } from './is-run-stale.js';

describe('isRunStale (sync)', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  it('a running run with an old heartbeat is stale; a fresh one is not', () => {
    expect(isRunStale({ status: 'running', heartbeatAt: ago(6 * 60_000), startedAt: ago(60 * 60_000) }, now)).toBe(true);
    expect(isRunStale({ status: 'running', heartbeatAt: ago(10_000), startedAt: ago(60 * 60_000) }, now)).toBe(false);
  });
  it('falls back to the start time, and a running run with neither is stale', () => {
    expect(isRunStale({ status: 'running', heartbeatAt: null, startedAt: ago(10 * 60_000) }, now)).toBe(true);
    expect(isRunStale({ status: 'running', heartbeatAt: null, startedAt: null }, now)).toBe(true);
  });
  it('queued and finished runs are never stale', () => {
    for (const status of ['queued', 'succeeded', 'partial', 'failed'])
      expect(isRunStale({ status, heartbeatAt: ago(86_400_000), startedAt: ago(86_400_000) }, now)).toBe(false);
  });
  it('honours a custom threshold', () => {
    expect(isRunStale({ status: 'running', heartbeatAt: ago(2000), startedAt: null }, now, 1000)).toBe(true);
  });
});
