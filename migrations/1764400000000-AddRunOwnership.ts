import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One run lifecycle for sync and reconciliation (src/runs/): both run tables get the owner instance and
 * the queue job that carries a queued run, so any instance can tell a live run from a dead one.
 */
export class AddRunOwnership1764400000000 implements MigrationInterface {
  name = 'AddRunOwnership1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reconciliation_run ADD COLUMN owner text`);
    await q.query(`ALTER TABLE reconciliation_run ADD COLUMN job_id uuid`);
    await q.query(`ALTER TABLE sync_run ADD COLUMN job_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_run DROP COLUMN job_id`);
    await q.query(`ALTER TABLE reconciliation_run DROP COLUMN job_id`);
    await q.query(`ALTER TABLE reconciliation_run DROP COLUMN owner`);
  }
}
