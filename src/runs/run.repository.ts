import type { DataSource } from 'typeorm';
import type { RunStatus, RunTrigger } from '../common/vocabulary.js';
import { returned } from '../database/query-result.js';
import { runLockKey } from './run-lease.js';
import { ActiveRunError, type RunRowBase, type RunTableSpec } from './run.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function constraintOf(e: unknown): string | undefined {
  return (
    (e as { driverError?: { constraint?: string } }).driverError?.constraint ??
    (e as { constraint?: string }).constraint
  );
}

export interface CreateRunInput {
  trigger: RunTrigger;
  /** Schedule slot: one run per slot across instances. */
  slot?: unknown;
  /** Same key → the same run (API `Idempotency-Key`). */
  idempotencyKey?: string | null;
  /** Payload columns of the kind (names from the spec's `columns`). */
  values?: Record<string, unknown>;
}

/**
 * The SQL of one run table, the same for every kind. Creation relies on the table's unique constraints
 * (slot, idempotency key, at most one active run) instead of check-then-insert, so it is race-free across
 * instances. Every write of a running run names its owner: an instance that lost the run changes nothing.
 */
export class RunRepository<Row extends RunRowBase> {
  constructor(
    readonly db: DataSource,
    readonly spec: RunTableSpec,
  ) {}

  private get t(): string {
    return this.spec.table;
  }

  lockKey(runId: string): string {
    return runLockKey(this.spec.kind, runId);
  }

  async get(id: string): Promise<Row | null> {
    if (!UUID.test(id)) return null;
    const rows = (await this.db.query(`SELECT * FROM ${this.t} WHERE id = $1`, [id])) as Row[];
    return rows[0] ?? null;
  }

  /** The queued or running run, if any (at most one by the table's partial unique index). */
  async active(): Promise<Row | null> {
    const rows = (await this.db.query(
      `SELECT * FROM ${this.t} WHERE status IN ('queued', 'running') LIMIT 1`,
    )) as Row[];
    return rows[0] ?? null;
  }

  private async findBy(column: 'slot' | 'idempotency_key', value: unknown): Promise<Row | null> {
    const rows = (await this.db.query(`SELECT * FROM ${this.t} WHERE ${column} = $1`, [value])) as Row[];
    return rows[0] ?? null;
  }

  /**
   * Creates a queued run. The same idempotency key or slot → the existing run (`created: false`).
   * Another run active → ActiveRunError naming it.
   */
  async create(input: CreateRunInput): Promise<{ run: Row; created: boolean }> {
    if (input.idempotencyKey) {
      const found = await this.findBy('idempotency_key', input.idempotencyKey);
      if (found) return { run: found, created: false };
    }
    if (input.slot != null) {
      const found = await this.findBy('slot', input.slot);
      if (found) return { run: found, created: false };
    }
    const names = ['status', 'trigger', 'slot'];
    const params: unknown[] = ['queued', input.trigger, input.slot ?? null];
    if (this.spec.constraints.idempotencyKey) {
      names.push('idempotency_key');
      params.push(input.idempotencyKey ?? null);
    }
    for (const [name, value] of Object.entries(input.values ?? {})) {
      if (!this.spec.columns.includes(name)) throw new Error(`${this.t} has no payload column ${name}`);
      names.push(name);
      params.push(value);
    }
    try {
      const rows = (await this.db.query(
        `INSERT INTO ${this.t} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
        params,
      )) as Row[];
      return { run: rows[0], created: true };
    } catch (e) {
      const c = constraintOf(e);
      if (c && c === this.spec.constraints.idempotencyKey && input.idempotencyKey) {
        const found = await this.findBy('idempotency_key', input.idempotencyKey);
        if (found) return { run: found, created: false };
      }
      if (c === this.spec.constraints.slot && input.slot != null) {
        const found = await this.findBy('slot', input.slot);
        if (found) return { run: found, created: false };
      }
      if (c === this.spec.constraints.oneActive) {
        const active = await this.active();
        throw new ActiveRunError(this.spec.kind, active?.id ?? 'unknown', this.spec.noun);
      }
      throw e;
    }
  }

  /** Records the queue job that carries a queued run. */
  async setJob(id: string, jobId: string): Promise<void> {
    await this.db.query(`UPDATE ${this.t} SET job_id = $2 WHERE id = $1`, [id, jobId]);
  }

  /** queued → running, owned by `owner`; false when another worker took it or it is no longer queued. */
  async start(id: string, owner: string): Promise<boolean> {
    const rows = returned(
      await this.db.query(
        `UPDATE ${this.t} SET status = 'running', started_at = now(), heartbeat_at = now(), owner = $2
          WHERE id = $1 AND status = 'queued' RETURNING id`,
        [id, owner],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Refreshes the heartbeat (and payload columns, e.g. progress) of a run this instance owns.
   * Returns false when it no longer does: the run was recovered by another instance, or finished.
   */
  async heartbeat(id: string, owner: string, values: Record<string, unknown> = {}): Promise<boolean> {
    const { sets, params } = this.sets(values, 3);
    const rows = returned(
      await this.db.query(
        `UPDATE ${this.t} SET heartbeat_at = now()${sets} WHERE id = $1 AND status = 'running' AND owner = $2 RETURNING id`,
        [id, owner, ...params],
      ),
    );
    return rows.length > 0;
  }

  /** running → a final status, only by its owner; false when the run is no longer this instance's. */
  async finish(
    id: string,
    owner: string,
    status: RunStatus,
    error: string | null,
    values: Record<string, unknown> = {},
  ): Promise<boolean> {
    const { sets, params } = this.sets(values, 5);
    const rows = returned(
      await this.db.query(
        `UPDATE ${this.t} SET status = $3, error = $4, finished_at = now()${sets}
          WHERE id = $1 AND status = 'running' AND owner = $2 RETURNING id`,
        [id, owner, status, error, ...params],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Marks an active run failed with `reason`. A running run is taken only when its lock is free (the
   * owner's connection is gone), or — for a stalled owner — when its heartbeat is older than
   * `stalledBefore`; the test and the update are one statement, so an owner cannot slip in between.
   * Returns the recovered row, or null.
   */
  async recover(id: string, reason: string, opts: { stalledBefore?: Date } = {}): Promise<Row | null> {
    const rows = returned<Row>(
      await this.db.query(
        `UPDATE ${this.t} SET status = 'failed', error = $2, finished_at = now()
          WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND (
                COALESCE(heartbeat_at, started_at) < $3::timestamptz OR pg_try_advisory_xact_lock($4::bigint))))
          RETURNING *`,
        [id, reason, opts.stalledBefore ?? null, this.lockKey(id)],
      ),
    );
    return rows[0] ?? null;
  }

  private sets(values: Record<string, unknown>, first: number): { sets: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    for (const [name, value] of Object.entries(values)) {
      if (!this.spec.columns.includes(name)) throw new Error(`${this.t} has no payload column ${name}`);
      parts.push(`${name} = $${first + params.length}`);
      params.push(value);
    }
    return { sets: parts.length ? `, ${parts.join(', ')}` : '', params };
  }
}
