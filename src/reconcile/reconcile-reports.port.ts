/**
 * The report of a reconciliation, as the reconcile module needs it: delivered when a run finishes and its
 * report is due (scheduled runs, and API runs asked with `report: true`), and rendered for
 * `GET /api/v1/reconciliations/{id}/report`. The report module provides it (globally), so the reconcile
 * module imports nothing of the report module's.
 */
export const RECONCILE_REPORTS = Symbol('ReconcileReports');

export interface ReconcileReports {
  /** Delivers the run's report; a failure is the report module's to record, never the run's. */
  reportRun(runId: string): Promise<void>;
  /** The run's report as a document, or null when there is no such run. */
  render(
    runId: string,
    kind: 'html' | 'csv',
  ): Promise<{ contentType: string; body: string | Buffer; fileName?: string } | null>;
}
