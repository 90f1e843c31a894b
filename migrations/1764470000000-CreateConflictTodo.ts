import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conflict to-dos (src/todos/): one row per CRM to-do Sverka made for a record's open conflicts — at most
 * one open per record — with the conflicts it names, its responsible user and deadline as the CRM last
 * showed them, and when it closed (completed in the CRM, closed by Sverka, or deleted there); plus the
 * module's small state (the "changed since" cursor, the time of the last full check).
 */
export class CreateConflictTodo1764470000000 implements MigrationInterface {
  name = 'CreateConflictTodo1764470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conflict_todo (
        id               bigserial PRIMARY KEY,
        entity           text NOT NULL,
        crm_id           text NOT NULL,
        onec_ref         text NOT NULL,
        record_name      text NOT NULL DEFAULT '',
        todo_id          text NOT NULL,
        status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'closed', 'gone')),
        responsible_id   text,
        responsible_name text NOT NULL DEFAULT '',
        fallback         boolean NOT NULL DEFAULT false,
        deadline         timestamptz NOT NULL,
        conflicts        jsonb NOT NULL,
        fingerprint      text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        closed_at        timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX conflict_todo_one_open ON conflict_todo (entity, crm_id) WHERE status = 'open'`,
    );
    await q.query(`CREATE UNIQUE INDEX conflict_todo_todo_id ON conflict_todo (todo_id)`);
    await q.query(`CREATE INDEX conflict_todo_deadline ON conflict_todo (deadline) WHERE status = 'open'`);
    await q.query(`
      CREATE TABLE conflict_todo_state (
        key        text PRIMARY KEY,
        value      text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE conflict_todo_state`);
    await q.query(`DROP TABLE conflict_todo`);
  }
}
