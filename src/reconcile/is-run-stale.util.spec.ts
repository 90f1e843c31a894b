import { isRunStale } from './is-run-stale.util.js';

const now = new Date('2026-11-28T06:30:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('isRunStale', () => {
  it('a running run with a recent heartbeat is alive', () => {
    expect(isRunStale({ status: 'running', heartbeatAt: ago(60_000), startedAt: ago(3_600_000) }, now)).toBe(
      false,
    );
  });
  it('a running run whose heartbeat is older than the limit is stale', () => {
    expect(
      isRunStale({ status: 'running', heartbeatAt: ago(11 * 60_000), startedAt: ago(3_600_000) }, now),
    ).toBe(true);
  });
  it('falls back to startedAt before the first heartbeat', () => {
    expect(isRunStale({ status: 'running', heartbeatAt: null, startedAt: ago(1000) }, now)).toBe(false);
    expect(isRunStale({ status: 'running', heartbeatAt: null, startedAt: ago(20 * 60_000) }, now)).toBe(true);
  });
  it('a running run with no timestamps at all is stale', () => {
    expect(isRunStale({ status: 'running', heartbeatAt: null, startedAt: null }, now)).toBe(true);
  });
  it('queued and finished runs are never stale', () => {
    for (const status of ['queued', 'succeeded', 'partial', 'failed'])
      expect(isRunStale({ status, heartbeatAt: null, startedAt: ago(86_400_000) }, now)).toBe(false);
  });
  it('honours a custom limit', () => {
    expect(isRunStale({ status: 'running', heartbeatAt: ago(5000), startedAt: null }, now, 1000)).toBe(true);
  });
});
