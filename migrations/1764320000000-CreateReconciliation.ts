import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation results: runs (with the §4 summary), discrepancy items and duplicate clusters.
 * Staging tables are not here: the runner creates them UNLOGGED per run (schema `reconcile_stage`).
 */
export class CreateReconciliation1764320000000 implements MigrationInterface {
  name = 'CreateReconciliation1764320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reconciliation_run (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status          text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed')),
        trigger         text NOT NULL CHECK (trigger IN ('schedule', 'api', 'cli')),
        slot            text UNIQUE,
        options         jsonb NOT NULL DEFAULT '{}'::jsonb,
        idempotency_key text UNIQUE,
        summary         jsonb,
        error           text,
        heartbeat_at    timestamptz,
        started_at      timestamptz,
        finished_at     timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    // At most one reconciliation queued or running at any time, across instances.
    await q.query(
      `CREATE UNIQUE INDEX reconciliation_run_one_active ON reconciliation_run ((true)) WHERE status IN ('queued', 'running')`,
    );
    await q.query(`CREATE INDEX reconciliation_run_created ON reconciliation_run (created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX reconciliation_run_finished ON reconciliation_run (finished_at DESC) WHERE finished_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE discrepancy (
        id         bigserial PRIMARY KEY,
        run_id     uuid NOT NULL REFERENCES reconciliation_run(id) ON DELETE CASCADE,
        kind       text NOT NULL,
        entity     text NOT NULL,
        severity   text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        onec_ref   text,
        crm_id     text,
        field      text,
        onec_value text,
        crm_value  text,
        detail     text NOT NULL
      )`);
    // Keyset pagination by id within a run, with and without the API filters.
    await q.query(`CREATE INDEX discrepancy_run_id ON discrepancy (run_id, id)`);
    await q.query(`CREATE INDEX discrepancy_run_kind ON discrepancy (run_id, kind, id)`);
    await q.query(`CREATE INDEX discrepancy_run_entity ON discrepancy (run_id, entity, id)`);
    await q.query(`CREATE INDEX discrepancy_run_severity ON discrepancy (run_id, severity, id)`);
    await q.query(`
      CREATE TABLE duplicate_cluster (
        id      bigserial PRIMARY KEY,
        run_id  uuid NOT NULL REFERENCES reconciliation_run(id) ON DELETE CASCADE,
        scope   text NOT NULL CHECK (scope IN ('onec', 'crm', 'cross')),
        score   numeric(4, 2) NOT NULL,
        members jsonb NOT NULL,
        reasons jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX duplicate_cluster_run ON duplicate_cluster (run_id, scope, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA IF EXISTS reconcile_stage CASCADE`);
    await q.query(`DROP TABLE duplicate_cluster`);
    await q.query(`DROP TABLE discrepancy`);
    await q.query(`DROP TABLE reconciliation_run`);
  }
}
