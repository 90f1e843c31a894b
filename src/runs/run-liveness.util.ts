import type { RunStatus } from '../common/vocabulary.js';

/**
 * What the queue says about the job of a queued run: `pending` (waiting to be taken), `active` (a worker
 * took it), `finished` (completed, failed or cancelled), `missing` (no job, or none recorded),
 * `unknown` (the queue cannot be asked from here, e.g. a CLI without the queue).
 */
export type JobState = 'pending' | 'active' | 'finished' | 'missing' | 'unknown';

export interface ActiveRunFacts {
  status: RunStatus;
  createdAt: Date;
  startedAt: Date | null;
  heartbeatAt: Date | null;
  jobState: JobState;
}

export interface LivenessLimits {
  /** A running run whose heartbeat is older than this is stalled (its owner is stopped or wedged). */
  stallAfterMs: number;
  /** A queued run younger than this is left alone (its creator is between insert and enqueue, or a worker between take and start). */
  queuedGraceMs: number;
}

export type LivenessVerdict =
  /** Alive, or cannot be judged from here: leave it. */
  | { action: 'keep' }
  /** Running with a fresh heartbeat: dead exactly when nobody holds its lock (the owner's connection is gone). */
  | { action: 'recover-if-unlocked' }
  /** Dead whatever its lock says. */
  | { action: 'recover'; reason: string };

/**
 * Judges an active (queued or running) run. Pure.
 *
 * Why a lock and not only a heartbeat: the owner holds a session-level advisory lock on a dedicated
 * connection for the whole run, so the owner's death (kill -9, crash, lost host) frees the lock as soon as
 * PostgreSQL sees the connection close — seconds, where a heartbeat rule must wait minutes to be safe.
 * The heartbeat remains for an owner that is alive but stalled (a stopped process keeps its socket open):
 * past `stallAfterMs` without one, the run is taken from it, and the owner stops at its next ownership check.
 */
export function judgeActiveRun(run: ActiveRunFacts, now: Date, limits: LivenessLimits): LivenessVerdict {
  if (run.status === 'running') {
    const last = run.heartbeatAt ?? run.startedAt ?? run.createdAt;
    if (now.getTime() - last.getTime() > limits.stallAfterMs)
      return {
        action: 'recover',
        reason: `its instance stopped answering (no heartbeat for ${Math.round(limits.stallAfterMs / 1000)} s)`,
      };
    return { action: 'recover-if-unlocked' };
  }
  if (run.status !== 'queued') return { action: 'keep' };
  if (now.getTime() - run.createdAt.getTime() < limits.queuedGraceMs) return { action: 'keep' };
  switch (run.jobState) {
    case 'pending':
    case 'unknown':
      return { action: 'keep' };
    case 'active':
      return { action: 'recover', reason: 'the instance that took it stopped before starting it' };
    case 'finished':
      return { action: 'recover', reason: 'its queue job ended without starting it' };
    case 'missing':
      return { action: 'recover', reason: 'it was never handed to a worker (its instance stopped)' };
  }
}
