import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The 1C change feed (docs/protocols/onec-change-feed.md): a pull of the feed is a sync run of its own
 * (`trigger = 'feed'`, taking the one sync slot like any other), its messages and acknowledgements kept in
 * `sync_run.feed`; `onec_feed_state` keeps what 1C last said about its node and when Sverka last pulled,
 * for `GET /api/v1/sync/status` on any instance.
 */
export class AddFeedRuns1764480000000 implements MigrationInterface {
  name = 'AddFeedRuns1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_run DROP CONSTRAINT sync_run_trigger_check`);
    await q.query(
      `ALTER TABLE sync_run ADD CONSTRAINT sync_run_trigger_check CHECK (trigger IN ('schedule', 'api', 'cli', 'feed'))`,
    );
    await q.query(`ALTER TABLE sync_run ADD COLUMN feed jsonb`);
    await q.query(`
      CREATE TABLE onec_feed_state (
        node             text PRIMARY KEY,
        sent_no          bigint,
        received_no      bigint,
        pending          integer,
        state_at         timestamptz,
        caught_up_at     timestamptz,
        last_pull_at     timestamptz,
        last_pull_run_id uuid,
        last_pull_error  text,
        last_acked_no    bigint,
        last_acked_at    timestamptz,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE onec_feed_state`);
    await q.query(`DELETE FROM sync_run WHERE trigger = 'feed'`);
    await q.query(`ALTER TABLE sync_run DROP COLUMN feed`);
    await q.query(`ALTER TABLE sync_run DROP CONSTRAINT sync_run_trigger_check`);
    await q.query(
      `ALTER TABLE sync_run ADD CONSTRAINT sync_run_trigger_check CHECK (trigger IN ('schedule', 'api', 'cli'))`,
    );
  }
}
