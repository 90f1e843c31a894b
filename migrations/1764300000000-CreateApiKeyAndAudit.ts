import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApiKeyAndAudit1764300000000 implements MigrationInterface {
  name = 'CreateApiKeyAndAudit1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_key (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name         text NOT NULL,
        role         text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        key_hash     char(64) NOT NULL UNIQUE,
        key_prefix   text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
    // One active key per name; a revoked name can be reused.
    await q.query(`CREATE UNIQUE INDEX api_key_active_name ON api_key (name) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE audit_event (
        id          bigserial PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        key_id      uuid,
        key_name    text,
        role        text,
        action      text NOT NULL,
        target      text,
        request_id  text,
        client_ip   text,
        outcome     text NOT NULL,
        detail      jsonb
      )`);
    await q.query(`CREATE INDEX audit_event_at ON audit_event (at DESC)`);
    // Append-only: PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE on the audit log.
    await q.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_event`);
    await q.query(`DROP FUNCTION audit_event_append_only()`);
    await q.query(`DROP TABLE api_key`);
  }
}
