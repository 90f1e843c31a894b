import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Report e-mail deliveries: one row per attempt. `outcome`: `sent` (the SMTP server accepted it),
 * `retrying` (this attempt failed, another follows), `failed` (the last attempt failed),
 * `outbox_only` (no SMTP configured: only the .eml was written). At most one successful row per run
 * (partial unique index), so a run is reported once however many instances try.
 */
export class CreateReportDelivery1764330000000 implements MigrationInterface {
  name = 'CreateReportDelivery1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_delivery (
        id          bigserial PRIMARY KEY,
        run_id      uuid NOT NULL REFERENCES reconciliation_run(id) ON DELETE CASCADE,
        attempt     integer NOT NULL CHECK (attempt >= 1),
        outcome     text NOT NULL CHECK (outcome IN ('sent', 'retrying', 'failed', 'outbox_only')),
        recipients  text[] NOT NULL,
        subject     text,
        message_id  text,
        outbox_file text,
        error       text,
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX report_delivery_run ON report_delivery (run_id, id)`);
    await q.query(
      `CREATE UNIQUE INDEX report_delivery_one_success ON report_delivery (run_id) WHERE outcome IN ('sent', 'outbox_only')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE report_delivery`);
  }
}
