import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../common/http/pagination.js';
import type { DiscrepancyItem, DuplicateCluster } from './reconcile.types.js';
import { ReconcileRunRepository, toRunView, type RunRow } from './reconcile-run.repository.js';
import type { DiscrepancyQueryDto, DuplicateQueryDto } from './reconcile.dto.js';

type RunView = ReturnType<typeof toRunView>;

/**
 * Reads of runs, items and clusters for the API and the report (keyset pagination on indexed keys).
 * Also the report module's source of runs (`ReportSource`).
 */
@Injectable()
export class ReconcileQueryService {
  private readonly runs: ReconcileRunRepository;

  constructor(private readonly db: DataSource) {
    this.runs = new ReconcileRunRepository(db);
  }

  async listRuns(q: { limit: number; cursor?: string }): Promise<Page<RunView>> {
    const c = decodeCursor(q.cursor, { c: 'timestamp', id: 'uuid' });
    const rows = (await this.db.query(
      `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts FROM reconciliation_run
       WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [c?.c ?? null, c?.id ?? null, q.limit + 1],
    )) as (RunRow & { cursor_ts: string })[];
    const ts = new Map(rows.map((r) => [r.id, r.cursor_ts]));
    const [{ n }] = (await this.db.query(`SELECT count(*)::int AS n FROM reconciliation_run`)) as {
      n: number;
    }[];
    return toPage(rows.map(toRunView), q.limit, n, (r) => ({ c: ts.get(r.id), id: r.id }));
  }

  async getRun(id: string): Promise<RunView> {
    const r = await this.runs.get(id);
    if (!r)
      throw new NotFoundException({
        title: 'Reconciliation not found',
        detail: `No reconciliation run ${id}`,
      });
    return toRunView(r);
  }

  async latest(): Promise<RunView> {
    const r = await this.runs.latestFinished();
    if (!r)
      throw new NotFoundException({
        title: 'No finished reconciliation yet',
        detail: 'No reconciliation run has finished yet',
      });
    return toRunView(r);
  }

  async discrepancies(
    runId: string,
    q: Pick<DiscrepancyQueryDto, 'limit' | 'cursor' | 'kind' | 'entity' | 'severity'>,
  ): Promise<Page<DiscrepancyItem>> {
    await this.getRun(runId);
    const c = decodeCursor(q.cursor, { id: 'bigint' });
    const where = `run_id = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR entity = $3) AND ($4::text IS NULL OR severity = $4)`;
    const args = [runId, q.kind ?? null, q.entity ?? null, q.severity ?? null];
    const rows = (await this.db.query(
      `SELECT id::text AS id, kind, entity, severity, onec_ref AS "onecRef", crm_id AS "crmId", field,
              onec_value AS "onecValue", crm_value AS "crmValue", detail,
              name, inn, crm_url AS "crmUrl", onec_url AS "onecUrl", onec_label AS "onecLabel", crm_label AS "crmLabel"
       FROM discrepancy WHERE ${where} AND ($5::bigint IS NULL OR id > $5::bigint) ORDER BY discrepancy.id LIMIT $6`,
      [...args, c?.id ?? null, q.limit + 1],
    )) as DiscrepancyItem[];
    const [{ n }] = (await this.db.query(
      `SELECT count(*)::int AS n FROM discrepancy WHERE ${where}`,
      args,
    )) as { n: number }[];
    return toPage(rows, q.limit, n, (r) => ({ id: r.id }));
  }

  /** Every item of a run in id order, page by page (CSV export, report). */
  async *allDiscrepancies(runId: string): AsyncIterable<DiscrepancyItem> {
    let cursor: string | undefined;
    for (;;) {
      const page = await this.discrepancies(runId, { limit: 1000, cursor });
      yield* page.items;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }

  async duplicates(
    runId: string,
    q: Pick<DuplicateQueryDto, 'limit' | 'cursor' | 'scope'>,
  ): Promise<Page<DuplicateCluster>> {
    await this.getRun(runId);
    const c = decodeCursor(q.cursor, { id: 'bigint' });
    const where = `run_id = $1 AND ($2::text IS NULL OR scope = $2)`;
    const rows = (await this.db.query(
      `SELECT id::text AS id, scope, score::float8 AS score, members, reasons FROM duplicate_cluster
       WHERE ${where} AND ($3::bigint IS NULL OR id > $3::bigint) ORDER BY duplicate_cluster.id LIMIT $4`,
      [runId, q.scope ?? null, c?.id ?? null, q.limit + 1],
    )) as DuplicateCluster[];
    const [{ n }] = (await this.db.query(`SELECT count(*)::int AS n FROM duplicate_cluster WHERE ${where}`, [
      runId,
      q.scope ?? null,
    ])) as { n: number }[];
    return toPage(rows, q.limit, n, (r) => ({ id: r.id }));
  }
}
