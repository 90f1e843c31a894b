import { RUN_STALE_AFTER_MS } from './sync.constants.js';

export interface SyncRunLiveness {
  status: string;
  heartbeatAt: Date | null;
  startedAt: Date | null;
}

/**
 * A `running` sync run is stale when its last heartbeat (or, before the first one, its start) is
 * older than `staleAfterMs`: the instance running it stopped. Queued, finished and fresh runs are not. Pure.
 */
export function isRunStale(run: SyncRunLiveness, now: Date, staleAfterMs = RUN_STALE_AFTER_MS): boolean {
  if (run.status !== 'running') return false;
  const last = run.heartbeatAt ?? run.startedAt;
  if (!last) return true;
  return now.getTime() - last.getTime() > staleAfterMs;
}
