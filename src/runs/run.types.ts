import type { RunStatus, RunTrigger } from '../common/vocabulary.js';

/** The two kinds of run that share one lifecycle. */
export type RunKind = 'sync' | 'reconcile';

/**
 * Where a kind's runs live. Both tables have the same lifecycle columns (status, trigger, slot, owner,
 * job_id, heartbeat_at, started_at, finished_at, created_at, error) plus their own payload columns.
 */
export interface RunTableSpec {
  kind: RunKind;
  /** Words for messages ("sync run", "reconciliation"). */
  noun: string;
  table: 'sync_run' | 'reconciliation_run';
  /** The pg-boss queue whose jobs carry queued runs (`{ runId }`). */
  queue: string;
  /** Payload columns a create may set, besides the lifecycle ones. */
  columns: readonly string[];
  /** Unique constraints whose violation a create turns into an answer. */
  constraints: { slot: string; oneActive: string; idempotencyKey?: string };
}

/** The lifecycle columns every run row has. */
export interface RunRowBase {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  error: string | null;
  owner: string | null;
  job_id: string | null;
  heartbeat_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

/** Thrown when a run is asked for while another of its kind is queued or running (→ 409 naming it). */
export class ActiveRunError extends Error {
  constructor(
    readonly kind: RunKind,
    readonly activeRunId: string,
    noun: string,
  ) {
    super(`${noun} ${activeRunId} is already active`);
  }
}

/**
 * Thrown inside a run when this instance learns that it no longer owns the run (another instance
 * recovered it, or the database lost the run's lock): the runner stops writing at once.
 */
export class RunLostError extends Error {
  constructor(
    readonly runId: string,
    reason: string,
  ) {
    super(`run ${runId} is no longer owned by this instance: ${reason}`);
  }
}
