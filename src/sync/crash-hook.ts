import type { SyncHook } from './plan-applier.js';

/**
 * Crash tests only: `SYNC_CRASH_AT=<point>:<n>` (a point of SyncHook, e.g. `before-feed-ack:1`) → a hook
 * that kills this process with SIGKILL — as `kill -9` would — the n-th time a run reaches that point.
 */
export function crashHook(spec: string): SyncHook {
  const [point, nth] = spec.split(':');
  let seen = 0;
  return (p) => {
    if (p === point && ++seen >= Number(nth || 1)) process.kill(process.pid, 'SIGKILL');
  };
}
