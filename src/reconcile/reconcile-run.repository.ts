import type { DataSource } from 'typeorm';
import type { RunStatus, RunTrigger } from '../common/vocabulary.js';
import { returned } from '../database/query-result.js';
import type { ReconcileEntity } from '../common/vocabulary.js';
import type { ReconciliationRunView, RunSummary } from './reconcile.types.js';

export interface RunOptions {
  entities: ReconcileEntity[];
  sampleSize: number;
  dedupe: boolean;
  report: boolean;
}

export interface RunRow {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  slot: string | null;
  options: RunOptions;
  idempotency_key: string | null;
  summary: RunSummary | null;
  error: string | null;
  heartbeat_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

/** Thrown when a run is asked for while another is queued or running (→ 409 naming it). */
export class ActiveRunError extends Error {
  constructor(readonly activeRunId: string) {
    super(`reconciliation ${activeRunId} is already active`);
  }
}

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

/**
 * The `reconciliation_run` rows. Creation relies on the table's unique constraints (idempotency key,
 * schedule slot, at most one active run) rather than check-then-insert, so it is race-free across instances.
 */
export class ReconcileRunRepository {
  constructor(private readonly db: DataSource) {}

  async get(id: string): Promise<RunRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = (await this.db.query(`SELECT * FROM reconciliation_run WHERE id = $1`, [id])) as RunRow[];
    return rows[0] ?? null;
  }

  async active(): Promise<RunRow | null> {
    const rows = (await this.db.query(
      `SELECT * FROM reconciliation_run WHERE status IN ('queued', 'running') LIMIT 1`,
    )) as RunRow[];
    return rows[0] ?? null;
  }

  /**
   * Creates a queued run. Same idempotency key → the existing run (created false). Same slot → the
   * existing run. Another run active → ActiveRunError.
   */
  async create(input: {
    trigger: RunTrigger;
    options: RunOptions;
    idempotencyKey?: string | null;
    slot?: string | null;
  }): Promise<{ run: RunRow; created: boolean }> {
    if (input.idempotencyKey) {
      const rows = (await this.db.query(`SELECT * FROM reconciliation_run WHERE idempotency_key = $1`, [
        input.idempotencyKey,
      ])) as RunRow[];
      if (rows[0]) return { run: rows[0], created: false };
    }
    if (input.slot) {
      const rows = (await this.db.query(`SELECT * FROM reconciliation_run WHERE slot = $1`, [
        input.slot,
      ])) as RunRow[];
      if (rows[0]) return { run: rows[0], created: false };
    }
    try {
      const rows = (await this.db.query(
        `INSERT INTO reconciliation_run (status, trigger, slot, options, idempotency_key) VALUES ('queued', $1, $2, $3, $4) RETURNING *`,
        [input.trigger, input.slot ?? null, JSON.stringify(input.options), input.idempotencyKey ?? null],
      )) as RunRow[];
      return { run: rows[0], created: true };
    } catch (e) {
      const constraint =
        (e as { constraint?: string; driverError?: { constraint?: string } }).driverError?.constraint ??
        (e as { constraint?: string }).constraint;
      if (constraint === 'reconciliation_run_idempotency_key_key' && input.idempotencyKey)
        return this.create({ ...input, slot: null });
      if (constraint === 'reconciliation_run_slot_key' && input.slot)
        return this.create({ ...input, idempotencyKey: null });
      if (constraint === 'reconciliation_run_one_active') {
        const active = await this.active();
        throw new ActiveRunError(active?.id ?? 'unknown');
      }
      throw e;
    }
  }

  /** queued → running; false when another worker took it or it is no longer queued. */
  async start(id: string): Promise<boolean> {
    const rows = returned<{ id: string }>(
      await this.db.query(
        `UPDATE reconciliation_run SET status = 'running', started_at = now(), heartbeat_at = now() WHERE id = $1 AND status = 'queued' RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
  }

  /** Whether any run (any trigger) was created at or after `at`. */
  async createdSince(at: Date): Promise<boolean> {
    const rows = (await this.db.query(`SELECT 1 FROM reconciliation_run WHERE created_at >= $1 LIMIT 1`, [
      at,
    ])) as unknown[];
    return rows.length > 0;
  }

  async heartbeat(id: string): Promise<void> {
    await this.db.query(
      `UPDATE reconciliation_run SET heartbeat_at = now() WHERE id = $1 AND status = 'running'`,
      [id],
    );
  }

  async finish(
    id: string,
    status: RunStatus,
    summary: RunSummary | null,
    error: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE reconciliation_run SET status = $2, summary = $3, error = $4, finished_at = now() WHERE id = $1`,
      [id, status, summary ? JSON.stringify(summary) : null, error],
    );
  }

  async running(): Promise<RunRow[]> {
    return (await this.db.query(`SELECT * FROM reconciliation_run WHERE status = 'running'`)) as RunRow[];
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
