import { RUN_STALE_AFTER_MS } from './reconcile.constants.js';

export interface RunLiveness {
  status: string;
  heartbeatAt: Date | null;
  startedAt: Date | null;
}

/**
 * A `running` run is stale when its last heartbeat (or, before the first one, its start) is older than
 * `staleAfterMs`: the instance running it crashed. Queued, finished and fresh runs are not stale. Pure.
 */
export function isRunStale(run: RunLiveness, now: Date, staleAfterMs = RUN_STALE_AFTER_MS): boolean {
  if (run.status !== 'running') return false;
  const last = run.heartbeatAt ?? run.startedAt;
  if (!last) return true;
  return now.getTime() - last.getTime() > staleAfterMs;
}
