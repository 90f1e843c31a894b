import type { DataSource } from 'typeorm';
import type {
  DiscrepancyItem,
  DuplicateCluster,
  ReconciliationRunView,
} from '../reconcile/reconcile.types.js';

/**
 * Where the report reads a reconciliation from. The default reads the reconcile module's tables
 * (`reconciliation_run`, `discrepancy`, `duplicate_cluster`, migration 1764320000000) with plain SQL,
 * so the report module needs nothing from the reconcile module at run time (no import cycle: the
 * reconcile module imports ReportModule to deliver and render). Another implementation can be
 * given to ReportModule.forRoot({ source }) or to the services directly in tests.
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
}

interface RunRow {
  id: string;
  status: ReconciliationRunView['status'];
  trigger: ReconciliationRunView['trigger'];
  summary: ReconciliationRunView['summary'];
  started_at: Date | null;
  finished_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const toView = (r: RunRow): ReconciliationRunView => ({
  id: r.id,
  status: r.status,
  trigger: r.trigger,
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
  summary: r.summary,
});

export class PgReportSource implements ReportSource {
  constructor(private readonly db: DataSource) {}

  async loadRun(id: string): Promise<ReconciliationRunView | null> {
    if (!UUID.test(id)) return null;
    const rows = (await this.db.query(
      `SELECT id, status, trigger, summary, started_at, finished_at FROM reconciliation_run WHERE id = $1`,
      [id],
    )) as RunRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  async loadPrevious(id: string): Promise<ReconciliationRunView | null> {
    if (!UUID.test(id)) return null;
    const rows = (await this.db.query(
      `SELECT p.id, p.status, p.trigger, p.summary, p.started_at, p.finished_at
         FROM reconciliation_run r
         JOIN reconciliation_run p ON p.id <> r.id AND p.status IN ('succeeded', 'partial') AND p.finished_at IS NOT NULL
          AND p.finished_at <= coalesce(r.started_at, r.created_at)
        WHERE r.id = $1
        ORDER BY p.finished_at DESC, p.id DESC LIMIT 1`,
      [id],
    )) as RunRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  async loadDiscrepancies(id: string): Promise<DiscrepancyItem[]> {
    if (!UUID.test(id)) return [];
    const rows = (await this.db.query(
      `SELECT id::text AS id, kind, entity, severity, onec_ref AS "onecRef", crm_id AS "crmId", field,
              onec_value AS "onecValue", crm_value AS "crmValue", detail,
              name, inn, crm_url AS "crmUrl", onec_url AS "onecUrl", onec_label AS "onecLabel", crm_label AS "crmLabel"
         FROM discrepancy WHERE run_id = $1 ORDER BY id`,
      [id],
    )) as DiscrepancyItem[];
    return rows;
  }

  /** The same keys as discrepancyKey(), built in SQL (unit separator between the parts). */
  async loadDiscrepancyKeys(id: string): Promise<string[]> {
    if (!UUID.test(id)) return [];
    const rows = (await this.db.query(
      `SELECT concat_ws(chr(31), kind, entity, coalesce(onec_ref, ''), coalesce(crm_id, ''), coalesce(field, '')) AS k
         FROM discrepancy WHERE run_id = $1`,
      [id],
    )) as { k: string }[];
    return rows.map((r) => r.k);
  }

  async loadClusters(id: string): Promise<DuplicateCluster[]> {
    if (!UUID.test(id)) return [];
    const rows = (await this.db.query(
      `SELECT id::text AS id, scope, score::float8 AS score, members, reasons FROM duplicate_cluster WHERE run_id = $1 ORDER BY score DESC, id`,
      [id],
    )) as DuplicateCluster[];
    return rows;
  }
}
