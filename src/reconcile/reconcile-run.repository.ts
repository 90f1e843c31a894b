import type { DataSource } from 'typeorm';
import type { ReconcileEntity } from '../common/vocabulary.js';
import { RunRepository } from '../runs/run.repository.js';
import type { RunRowBase, RunTableSpec } from '../runs/run.types.js';
import { RECONCILE_QUEUE } from './reconcile.constants.js';
import type { ReconciliationRunView, RunSummary } from './reconcile.types.js';

export interface RunOptions {
  entities: ReconcileEntity[];
  sampleSize: number;
  dedupe: boolean;
  report: boolean;
}

export interface RunRow extends RunRowBase {
  slot: string | null;
  options: RunOptions;
  idempotency_key: string | null;
  summary: RunSummary | null;
}

/** The reconciliation runs' table in the shared run lifecycle (src/runs/). */
export const RECONCILE_RUNS: RunTableSpec = {
  kind: 'reconcile',
  noun: 'reconciliation',
  table: 'reconciliation_run',
  queue: RECONCILE_QUEUE,
  columns: ['options', 'summary'],
  constraints: {
    slot: 'reconciliation_run_slot_key',
    oneActive: 'reconciliation_run_one_active',
    idempotencyKey: 'reconciliation_run_idempotency_key_key',
  },
};

export function toRunView(
  r: RunRow,
): ReconciliationRunView & { createdAt: string; error: string | null; options: RunOptions } {
  return {
    id: r.id,
    status: r.status,
    trigger: r.trigger,
    startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
    summary: r.summary,
    error: r.error,
    options: r.options,
  };
}

/** Reconciliation's own reads of its run table (the lifecycle is src/runs/run.repository.ts). */
export class ReconcileRunRepository extends RunRepository<RunRow> {
  constructor(db: DataSource) {
    super(db, RECONCILE_RUNS);
  }

  /** Whether any run (any trigger) was created at or after `at`. */
  async createdSince(at: Date): Promise<boolean> {
    const rows = (await this.db.query(`SELECT 1 FROM reconciliation_run WHERE created_at >= $1 LIMIT 1`, [
      at,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** The newest finished run (optionally before another one). */
  async latestFinished(exceptId?: string, opts: { withSummary?: boolean } = {}): Promise<RunRow | null> {
    const statuses = opts.withSummary ? `('succeeded', 'partial')` : `('succeeded', 'partial', 'failed')`;
    const rows = (await this.db.query(
      `SELECT * FROM reconciliation_run WHERE finished_at IS NOT NULL AND status IN ${statuses}
         AND ($1::uuid IS NULL OR id <> $1::uuid) ORDER BY finished_at DESC, id DESC LIMIT 1`,
      [exceptId ?? null],
    )) as RunRow[];
    return rows[0] ?? null;
  }
}
