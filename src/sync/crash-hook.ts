import { SYNC_HOOK_POINTS, type SyncHook } from './plan-applier.js';

/**
 * Crash tests only: `SYNC_CRASH_AT=<point>:<n>` (a point of SYNC_HOOK_POINTS, e.g. `before-feed-ack:1`) →
 * a hook that kills this process with SIGKILL — as `kill -9` would — the n-th time a run reaches that
 * point. An unknown point is refused, naming the setting, so a crash test cannot pass by never crashing.
 */
export function crashHook(spec: string): SyncHook {
  const [point, nth] = spec.split(':');
  if (!(SYNC_HOOK_POINTS as readonly string[]).includes(point) || !/^\d*$/.test(nth ?? ''))
    throw new Error(
      `SYNC_CRASH_AT must be <point>:<n> with a point among ${SYNC_HOOK_POINTS.join(', ')}; got "${spec}"`,
    );
  let seen = 0;
  return (p) => {
    if (p === point && ++seen >= Number(nth || 1)) process.kill(process.pid, 'SIGKILL');
  };
}
