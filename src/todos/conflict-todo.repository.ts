import type { DataSource } from 'typeorm';
import type { SyncEntity } from '../common/vocabulary.js';
import { returned } from '../database/query-result.js';
import type { OpenTodo, TodoConflict } from './plan-todos.js';

/** How a to-do stopped being open: completed in the CRM, closed by Sverka, or deleted in the CRM. */
export type TodoEnd = 'completed' | 'closed' | 'gone';

interface TodoRow {
  id: string;
  todo_id: string;
  entity: SyncEntity;
  crm_id: string;
  onec_ref: string;
  record_name: string;
  responsible_id: string | null;
  responsible_name: string;
  fallback: boolean;
  deadline: Date;
  conflicts: TodoConflict[];
  fingerprint: string;
  created_at: Date;
}

const toOpenTodo = (r: TodoRow): OpenTodo => ({
  id: String(r.id),
  todoId: r.todo_id,
  entity: r.entity,
  crmId: r.crm_id,
  onecRef: r.onec_ref,
  recordName: r.record_name,
  responsibleId: r.responsible_id,
  responsibleName: r.responsible_name,
  fallback: r.fallback,
  deadline: new Date(r.deadline),
  conflicts: r.conflicts,
  fingerprint: r.fingerprint,
  createdAt: new Date(r.created_at),
});

/** SQL of the to-do tables (`conflict_todo`, `conflict_todo_state`, migration 1764470000000); only src/todos/ writes them. */
export class ConflictTodoRepository {
  constructor(private readonly db: DataSource) {}

  async open(): Promise<OpenTodo[]> {
    const rows = (await this.db.query(
      `SELECT * FROM conflict_todo WHERE status = 'open' ORDER BY id`,
    )) as TodoRow[];
    return rows.map(toOpenTodo);
  }

  /** Stores a to-do the CRM just made (an open one on the same record is closed as superseded first). */
  async insert(t: Omit<OpenTodo, 'id' | 'createdAt'>, now: Date): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `UPDATE conflict_todo SET status = 'closed', closed_at = $3, updated_at = $3
          WHERE entity = $1 AND crm_id = $2 AND status = 'open'`,
        [t.entity, t.crmId, now],
      );
      await m.query(
        `INSERT INTO conflict_todo (entity, crm_id, onec_ref, record_name, todo_id, responsible_id, responsible_name,
                                    fallback, deadline, conflicts, fingerprint, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $12)
         ON CONFLICT (todo_id) DO NOTHING`,
        [
          t.entity,
          t.crmId,
          t.onecRef,
          t.recordName,
          t.todoId,
          t.responsibleId,
          t.responsibleName,
          t.fallback,
          t.deadline,
          JSON.stringify(t.conflicts),
          t.fingerprint,
          now,
        ],
      );
    });
  }

  /** After a rewrite in the CRM: what the to-do names now. */
  async rewritten(
    id: string,
    t: Pick<OpenTodo, 'conflicts' | 'fingerprint' | 'recordName'>,
    now: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE conflict_todo SET conflicts = $2::jsonb, fingerprint = $3, record_name = $4, updated_at = $5
        WHERE id = $1 AND status = 'open'`,
      [id, JSON.stringify(t.conflicts), t.fingerprint, t.recordName, now],
    );
  }

  /** The deadline and responsible user as the CRM shows them now (a person moved or reassigned it). */
  async mirrored(
    id: string,
    t: { deadline: Date; responsibleId: string | null; responsibleName: string },
    now: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE conflict_todo SET deadline = $2, responsible_id = $3, responsible_name = $4, updated_at = $5
        WHERE id = $1 AND status = 'open'`,
      [id, t.deadline, t.responsibleId, t.responsibleName, now],
    );
  }

  /** Closes open to-dos; returns the ids that were open. */
  async end(ids: string[], how: TodoEnd, now: Date): Promise<string[]> {
    if (!ids.length) return [];
    const rows = returned<{ id: string }>(
      await this.db.query(
        `UPDATE conflict_todo SET status = $2, closed_at = $3, updated_at = $3
          WHERE id = ANY($1::bigint[]) AND status = 'open' RETURNING id::text AS id`,
        [ids, how, now],
      ),
    );
    return rows.map((r) => r.id);
  }

  async getState(key: 'cursor' | 'fullCheckAt'): Promise<string | null> {
    const [row] = (await this.db.query(`SELECT value FROM conflict_todo_state WHERE key = $1`, [key])) as {
      value: string;
    }[];
    return row?.value ?? null;
  }

  async setState(key: 'cursor' | 'fullCheckAt', value: string | null): Promise<void> {
    if (value === null) await this.db.query(`DELETE FROM conflict_todo_state WHERE key = $1`, [key]);
    else
      await this.db.query(
        `INSERT INTO conflict_todo_state (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [key, value],
      );
  }
}
