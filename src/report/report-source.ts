import type {
  DiscrepancyItem,
  DuplicateCluster,
  ReconciliationRunView,
} from '../reconcile/reconcile.types.js';

/**
 * Where the report reads a reconciliation from: the reconcile module's reader (ReconcileResultsReader,
 * src/reconcile/reconcile-results.reader.ts) in the service; another implementation in tests.
 */
export const REPORT_SOURCE = Symbol('REPORT_SOURCE');

export interface ReportSource {
  loadRun(id: string): Promise<ReconciliationRunView | null>;
  /** The newest run (succeeded or partial) that finished before this one started, or null. */
  loadPrevious(id: string): Promise<ReconciliationRunView | null>;
  /** Every discrepancy item of the run, in a stable order. */
  loadDiscrepancies(id: string): Promise<DiscrepancyItem[]>;
  loadClusters(id: string): Promise<DuplicateCluster[]>;
  /** Optional: only the identity keys (see discrepancyKey) of a run's items, to mark new ones cheaply. */
  loadDiscrepancyKeys?(id: string): Promise<string[]>;
  /** Runs finished in (from, to] whose report is due (scheduled, or asked for one). */
  reportsDue(from: Date, to: Date): Promise<string[]>;
}
