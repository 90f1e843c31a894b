import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sync state: the link store (1C record ↔ CRM record, last pushed DataVersion and values), sync runs,
 * per-record failures (retries and dead letters) and field conflicts of the `manual` strategy.
 */
export class CreateSync1764310000000 implements MigrationInterface {
  name = 'CreateSync1764310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE entity_link (
        id               bigserial PRIMARY KEY,
        entity           text NOT NULL CHECK (entity IN ('counterparties', 'contacts', 'deals')),
        onec_ref         text NOT NULL,
        crm_id           text NOT NULL,
        data_version     text,
        pushed_hash      text,
        pushed_values    jsonb NOT NULL DEFAULT '{}'::jsonb,
        crm_requisite_id text,
        flagged_at       timestamptz,
        onec_seen_at     timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT entity_link_ref UNIQUE (entity, onec_ref),
        CONSTRAINT entity_link_crm UNIQUE (entity, crm_id)
      )`);
    await q.query(`
      CREATE TABLE sync_run (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status       text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed')),
        trigger      text NOT NULL CHECK (trigger IN ('schedule', 'api', 'cli')),
        slot         timestamptz UNIQUE,
        full_sync    boolean NOT NULL DEFAULT false,
        entities     text[] NOT NULL,
        stats        jsonb NOT NULL DEFAULT '{}'::jsonb,
        error        text,
        heartbeat_at timestamptz,
        owner        text,
        started_at   timestamptz,
        finished_at  timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    // At most one sync queued or running at any time, across instances.
    await q.query(
      `CREATE UNIQUE INDEX sync_run_one_active ON sync_run ((true)) WHERE status IN ('queued', 'running')`,
    );
    await q.query(`CREATE INDEX sync_run_created ON sync_run (created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE sync_item_failure (
        id           bigserial PRIMARY KEY,
        run_id       uuid REFERENCES sync_run(id) ON DELETE SET NULL,
        entity       text NOT NULL,
        onec_ref     text NOT NULL,
        data_version text,
        attempts     integer NOT NULL DEFAULT 1,
        last_error   text NOT NULL,
        dead         boolean NOT NULL DEFAULT false,
        next_attempt_at timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sync_item_failure_ref UNIQUE (entity, onec_ref)
      )`);
    await q.query(`CREATE INDEX sync_item_failure_dead ON sync_item_failure (entity) WHERE dead`);
    // 1C records sync decided not to push at a DataVersion (unposted order, no owner, …): not re-read until 1C changes them.
    await q.query(`
      CREATE TABLE sync_skipped (
        entity       text NOT NULL,
        onec_ref     text NOT NULL,
        data_version text NOT NULL,
        reason       text NOT NULL,
        -- The counterparty a contact/deal waits for (retried once that counterparty is linked).
        waits_for    text,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (entity, onec_ref)
      )`);
    await q.query(`
      CREATE TABLE sync_conflict (
        id          bigserial PRIMARY KEY,
        entity      text NOT NULL,
        onec_ref    text NOT NULL,
        crm_id      text NOT NULL,
        field       text NOT NULL,
        onec_value  text,
        crm_value   text,
        status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolution  text CHECK (resolution IN ('onec', 'crm')),
        resolved_by text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`);
    // One open conflict per record field (a rerun refreshes it instead of adding another).
    await q.query(
      `CREATE UNIQUE INDEX sync_conflict_open ON sync_conflict (entity, onec_ref, field) WHERE status = 'open'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sync_conflict`);
    await q.query(`DROP TABLE sync_skipped`);
    await q.query(`DROP TABLE sync_item_failure`);
    await q.query(`DROP TABLE sync_run`);
    await q.query(`DROP TABLE entity_link`);
  }
}
