import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Go-live (README.md#going-live): dry runs keep their plan (`sync_run.dry_run`, `sync_run.plan` with the
 * counts per entity and action, `sync_plan_item` with one row per planned action), and 1C records that
 * wait for a matching decision are review items in `sync_match` (open → resolved by an operator → applied
 * by the next sync; closed when the record got linked or created otherwise).
 */
export class AddGoLive1764490000000 implements MigrationInterface {
  name = 'AddGoLive1764490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_run ADD COLUMN dry_run boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE sync_run ADD COLUMN plan jsonb`);
    await q.query(`
      CREATE TABLE sync_plan_item (
        run_id   uuid NOT NULL REFERENCES sync_run(id) ON DELETE CASCADE,
        seq      integer NOT NULL,
        entity   text NOT NULL,
        action   text NOT NULL CHECK (action IN ('create', 'update', 'link', 'review', 'unchanged', 'flag', 'conflict', 'skip')),
        onec_ref text NOT NULL,
        crm_id   text,
        name     text NOT NULL DEFAULT '',
        inn      text,
        changes  jsonb,
        reason   text,
        PRIMARY KEY (run_id, seq)
      )`);
    await q.query(`CREATE INDEX sync_plan_item_filter ON sync_plan_item (run_id, entity, action, seq)`);
    await q.query(`
      CREATE TABLE sync_match (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entity          text NOT NULL,
        onec_ref        text NOT NULL,
        status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'closed')),
        name            text NOT NULL DEFAULT '',
        inn             text,
        kpp             text,
        reason          text NOT NULL,
        candidates      jsonb NOT NULL,
        decision_crm_id text,
        decision_create boolean NOT NULL DEFAULT false,
        resolved_by     text,
        resolved_at     timestamptz,
        applied_at      timestamptz,
        closed_reason   text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX sync_match_one_pending ON sync_match (entity, onec_ref) WHERE status IN ('open', 'resolved')`,
    );
    await q.query(`CREATE INDEX sync_match_status ON sync_match (status, entity, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sync_match`);
    await q.query(`DROP TABLE sync_plan_item`);
    await q.query(`DELETE FROM sync_run WHERE dry_run`);
    await q.query(`ALTER TABLE sync_run DROP COLUMN plan`);
    await q.query(`ALTER TABLE sync_run DROP COLUMN dry_run`);
  }
}
