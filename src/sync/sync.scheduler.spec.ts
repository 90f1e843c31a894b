import { jest } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { parseSettings } from '../config/settings.js';
import { ActiveRunError } from '../runs/run.types.js';
import type { SyncQueueService } from './sync-queue.service.js';
import type { SyncRequest, SyncRunnerService } from './sync-runner.service.js';
import { FIRST_SCAN_DELAY_MS, SCAN_RETRY_MS, SyncScheduler } from './sync.scheduler.js';

const FEED = { ONEC_FEED_URL: 'https://1c.example.ru/bp30/hs/sverka' };

/** A queue whose enqueue finds a sync active `busy` times, then creates the run. */
function queue(busy: number) {
  const calls: SyncRequest[] = [];
  const q = {
    calls,
    enqueue: async (req: SyncRequest) => {
      calls.push(req);
      if (calls.length <= busy) throw new ActiveRunError('sync', 'feed-run-1', 'sync run');
      return { id: 'scan-1', status: 'queued' };
    },
  };
  return q;
}

const scheduler = (
  env: Record<string, string>,
  q: ReturnType<typeof queue>,
  scanFinished?: () => Promise<boolean>,
) =>
  new SyncScheduler(
    parseSettings(
      { LOG_LEVEL: 'silent', SYNC_CRON: '*/15 * * * *', SYNC_FULL_SCAN_CRON: '30 5 * * *', ...env },
      { mode: 'embedded' },
    ),
    new SchedulerRegistry(),
    q as unknown as SyncQueueService,
    scanFinished ? ({ store: { scanFinished } } as unknown as SyncRunnerService) : undefined,
  );

describe('SyncScheduler', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('without the change feed: SYNC_CRON, and a tick that finds a sync active is skipped', async () => {
    const q = queue(1);
    const s = scheduler({}, q);
    expect(s.cron).toBe('*/15 * * * *');
    await s.tick(new Date('2026-12-05T10:14:59.500Z'));
    expect(q.calls).toEqual([{ trigger: 'schedule', slot: new Date('2026-12-05T10:15:00Z') }]);
    expect(s.scanWaiting).toBe(false);
  });

  it('with the change feed on: the daily SYNC_FULL_SCAN_CRON, and a tick waits for the active sync instead of being dropped', async () => {
    const q = queue(2);
    const s = scheduler(FEED, q);
    expect(s.cron).toBe('30 5 * * *');
    // 05:30 Moscow time is 02:30 UTC.
    const tick = s.tick(new Date('2026-12-05T02:29:59.500Z'));
    await jest.advanceTimersByTimeAsync(0);
    expect(q.calls).toHaveLength(1);
    expect(s.scanWaiting).toBe(true);
    await jest.advanceTimersByTimeAsync(SCAN_RETRY_MS);
    expect(q.calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(SCAN_RETRY_MS);
    await tick;
    expect(q.calls).toEqual(
      [0, 1, 2].map(() => ({ trigger: 'schedule', slot: new Date('2026-12-05T02:30:00Z') })),
    );
    expect(s.scanWaiting).toBe(false);
  });

  it('a waiting tick ends at shutdown', async () => {
    const q = queue(1000);
    const s = scheduler(FEED, q);
    const tick = s.tick(new Date('2026-12-05T02:29:59.500Z'));
    await jest.advanceTimersByTimeAsync(0);
    expect(s.scanWaiting).toBe(true);
    s.onApplicationShutdown();
    await tick;
    expect(q.calls).toHaveLength(2);
    expect(s.scanWaiting).toBe(false);
  });

  it('with the change feed on, a base never scanned gets its first load after the start delay; none when a scan has finished', async () => {
    const fresh = queue(0);
    const s = scheduler({ ...FEED, SCHEDULER_ENABLED: 'true' }, fresh, async () => false);
    s.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(FIRST_SCAN_DELAY_MS - 1);
    expect(fresh.calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(fresh.calls).toEqual([{ trigger: 'schedule', slot: null }]);
    s.onApplicationShutdown();

    const scanned = queue(0);
    const t = scheduler({ ...FEED, SCHEDULER_ENABLED: 'true' }, scanned, async () => true);
    t.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(FIRST_SCAN_DELAY_MS);
    expect(scanned.calls).toEqual([]);
    t.onApplicationShutdown();
  });

  it('a first load that waits for an active sync is dropped once that sync was a finished scan', async () => {
    const q = queue(1000);
    let finished = false;
    const s = scheduler(FEED, q, async () => finished);
    const first = s.firstScan();
    await jest.advanceTimersByTimeAsync(0);
    expect(q.calls).toHaveLength(1);
    finished = true;
    await jest.advanceTimersByTimeAsync(SCAN_RETRY_MS);
    await first;
    expect(q.calls).toHaveLength(1);
    expect(s.scanWaiting).toBe(false);
  });
});
