import type { LivenessLimits } from './run-liveness.util.js';

/** How often an owner checks its runs and refreshes their heartbeat (also done before each batch of writes). */
export const RUN_HEARTBEAT_MS = 5_000;

/**
 * How often every instance looks for dead runs. A dead owner's lock is free as soon as PostgreSQL sees its
 * connection close, so a crashed run is recovered within this interval (plus, for a vanished host, the
 * lease connection's keepalive of about 11 s).
 */
export const RUN_SWEEP_MS = 5_000;

export const RUN_LIVENESS_LIMITS: LivenessLimits = {
  // 24 missed heartbeats: only a stopped or wedged process, never a busy one (long SQL runs on other connections).
  stallAfterMs: 120_000,
  // Far above the milliseconds between insert and enqueue, or between a worker's take and its start.
  queuedGraceMs: 30_000,
};
