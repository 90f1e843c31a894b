import type { RunContext, SnapshotSource } from '../run-context.js';
import type { RunSummary } from '../reconcile.types.js';

/** What the checks of a run share once the snapshots are taken. */
export interface RunState {
  summary: RunSummary;
  /** Sources read completely. */
  ready: ReadonlySet<SnapshotSource>;
  /** Where the links came from: sync's link table, or (without it) the CRM records' external keys. */
  linkSource: 'entity_link' | 'crm_origin';
}

/**
 * One check of a reconciliation: the snapshots it needs (each source is read once per run, whatever
 * number of checks needs it) and its comparison over the staged snapshot. A check whose sources are not
 * all read is not run — the failed snapshot is already recorded as a skipped check.
 */
export interface ReconcileCheck {
  readonly name: string;
  readonly needs: readonly SnapshotSource[];
  /** A failure of an optional check skips it (the run ends `partial`); of another, fails the run. */
  readonly optional?: boolean;
  compare(ctx: RunContext, state: RunState): Promise<void>;
}
