import { judgeActiveRun, type ActiveRunFacts } from './run-liveness.util.js';

const limits = { stallAfterMs: 120_000, queuedGraceMs: 30_000 };
const t0 = new Date('2026-12-04T10:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

const running = (heartbeatS: number | null, startedS = 0): ActiveRunFacts => ({
  status: 'running',
  createdAt: t0,
  startedAt: at(startedS),
  heartbeatAt: heartbeatS === null ? null : at(heartbeatS),
  jobState: 'active',
});
const queued = (jobState: ActiveRunFacts['jobState']): ActiveRunFacts => ({
  status: 'queued',
  createdAt: t0,
  startedAt: null,
  heartbeatAt: null,
  jobState,
});

describe('judgeActiveRun', () => {
  it('a running run with a fresh heartbeat is dead exactly when its lock is free', () => {
    expect(judgeActiveRun(running(100), at(110), limits)).toEqual({ action: 'recover-if-unlocked' });
  });

  it('a running run whose heartbeat is older than the stall limit is recovered whatever its lock says', () => {
    expect(judgeActiveRun(running(100), at(221), limits)).toEqual({
      action: 'recover',
      reason: 'its instance stopped answering (no heartbeat for 120 s)',
    });
  });

  it('the stall limit itself is not yet a stall', () => {
    expect(judgeActiveRun(running(100), at(220), limits)).toEqual({ action: 'recover-if-unlocked' });
  });

  it('before the first heartbeat the start time counts', () => {
    expect(judgeActiveRun(running(null, 5), at(126), limits).action).toBe('recover');
    expect(judgeActiveRun(running(null, 5), at(124), limits).action).toBe('recover-if-unlocked');
  });

  it('a young queued run is kept whatever its job says', () => {
    for (const s of ['pending', 'active', 'finished', 'missing', 'unknown'] as const)
      expect(judgeActiveRun(queued(s), at(29), limits)).toEqual({ action: 'keep' });
  });

  it('an old queued run is kept while its job waits, or when the queue cannot be asked', () => {
    expect(judgeActiveRun(queued('pending'), at(600), limits)).toEqual({ action: 'keep' });
    expect(judgeActiveRun(queued('unknown'), at(600), limits)).toEqual({ action: 'keep' });
  });

  it('an old queued run whose job was taken, ended or never existed is recovered', () => {
    expect(judgeActiveRun(queued('active'), at(31), limits)).toEqual({
      action: 'recover',
      reason: 'the instance that took it stopped before starting it',
    });
    expect(judgeActiveRun(queued('finished'), at(31), limits)).toEqual({
      action: 'recover',
      reason: 'its queue job ended without starting it',
    });
    expect(judgeActiveRun(queued('missing'), at(31), limits)).toEqual({
      action: 'recover',
      reason: 'it was never handed to a worker (its instance stopped)',
    });
  });

  it('finished runs are kept (nothing to judge)', () => {
    expect(judgeActiveRun({ ...running(0), status: 'succeeded' }, at(10_000), limits)).toEqual({
      action: 'keep',
    });
  });
});
