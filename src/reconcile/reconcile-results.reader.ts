import type { DataSource } from 'typeorm';
import type {
  DiscrepancyItem,
  DuplicateCluster,
  ReconciliationRunView,
  RunSummary,
} from './reconcile.types.js';

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

/**
 * What reconciliation tells the rest of the service about its results — the report (runs, items,
 * clusters, reports due), metrics at start. The reconcile tables (`reconciliation_run`, `discrepancy`,
 * `duplicate_cluster`) are read only here and in the reconcile module's own repositories.
 */
export class ReconcileResultsReader {
  constructor(private readonly db: DataSource) {}

  async loadRun(id: string): Promise<ReconciliationRunView | null> {
    if (!UUID.test(id)) return null;
    const rows = (await this.db.query(
      `SELECT id, status, trigger, summary, started_at, finished_at FROM reconciliation_run WHERE id = $1`,
      [id],
    )) as RunRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  /** The newest run (succeeded or partial) that finished before this one started, or null. */
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

  /** Every discrepancy item of the run, in a stable order. */
  async loadDiscrepancies(id: string): Promise<DiscrepancyItem[]> {
    if (!UUID.test(id)) return [];
    return (await this.db.query(
      `SELECT id::text AS id, kind, entity, severity, onec_ref AS "onecRef", crm_id AS "crmId", field,
              onec_value AS "onecValue", crm_value AS "crmValue", detail,
              name, inn, crm_url AS "crmUrl", onec_url AS "onecUrl", onec_label AS "onecLabel", crm_label AS "crmLabel"
         FROM discrepancy WHERE run_id = $1 ORDER BY id`,
      [id],
    )) as DiscrepancyItem[];
  }

  /** The identity keys of a run's items (kind, entity, 1C ref, CRM id, field; unit separator between). */
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
    return (await this.db.query(
      `SELECT id::text AS id, scope, score::float8 AS score, members, reasons FROM duplicate_cluster WHERE run_id = $1 ORDER BY score DESC, id`,
      [id],
    )) as DuplicateCluster[];
  }

  /** Runs finished in (from, to] whose report is due: scheduled ones and those asked for a report. */
  async reportsDue(from: Date, to: Date): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT id FROM reconciliation_run
        WHERE status IN ('succeeded', 'partial', 'failed') AND finished_at > $1 AND finished_at <= $2
          AND (trigger = 'schedule' OR coalesce((options->>'report')::boolean, false))
        ORDER BY finished_at`,
      [from, to],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The latest `n` finished runs with a summary, oldest first (metrics at start). */
  async latestSummaries(
    n: number,
  ): Promise<{ status: 'succeeded' | 'partial'; finishedAt: Date; summary: RunSummary | null }[]> {
    const rows = (await this.db.query(
      `SELECT status, finished_at, summary FROM (
         SELECT status, finished_at, summary FROM reconciliation_run
          WHERE finished_at IS NOT NULL AND status IN ('succeeded', 'partial')
          ORDER BY finished_at DESC LIMIT $1) latest
        ORDER BY finished_at ASC`,
      [n],
    )) as { status: 'succeeded' | 'partial'; finished_at: Date; summary: RunSummary | null }[];
    return rows.map((r) => ({ status: r.status, finishedAt: r.finished_at, summary: r.summary }));
  }
}
