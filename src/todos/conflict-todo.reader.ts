import type { DataSource } from 'typeorm';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';

/** One person with overdue conflict to-dos. */
export interface LateResponsible {
  /** The CRM user id; null: the to-do went to the CRM's default user. */
  responsibleId: string | null;
  /** Their name as the CRM last gave it ('' when unknown). */
  responsibleName: string;
  count: number;
  /** The earliest deadline among them (ISO 8601). */
  oldestDeadline: string;
}

export interface OverdueTodos {
  /** The moment they were overdue at (ISO 8601). */
  at: string;
  total: number;
  byEntity: Record<SyncEntity, number>;
  /** Most overdue to-dos first, then by name. */
  late: LateResponsible[];
}

/**
 * The small reader other modules use for conflict to-dos (the report, the metrics restore): to-dos that were
 * open and past their deadline at a moment, by entity and by responsible user. Plain SQL over
 * `conflict_todo`; null when the table is not there (the module not deployed).
 */
export class ConflictTodoReader {
  constructor(private readonly db: DataSource) {}

  async overdueAt(at: Date): Promise<OverdueTodos | null> {
    const [{ ok }] = (await this.db.query(
      `SELECT to_regclass('public.conflict_todo') IS NOT NULL AS ok`,
    )) as {
      ok: boolean;
    }[];
    if (!ok) return null;
    // Open at `at`: made by then and not yet closed; overdue: its deadline (as the CRM last showed it) passed.
    const rows = (await this.db.query(
      `SELECT entity, responsible_id, max(responsible_name) AS responsible_name, count(*)::int AS n, min(deadline) AS oldest
         FROM conflict_todo
        WHERE created_at <= $1 AND deadline < $1 AND (closed_at IS NULL OR closed_at > $1)
        GROUP BY entity, responsible_id`,
      [at],
    )) as {
      entity: SyncEntity;
      responsible_id: string | null;
      responsible_name: string;
      n: number;
      oldest: Date;
    }[];
    const byEntity = Object.fromEntries(SYNC_ENTITIES.map((e) => [e, 0])) as Record<SyncEntity, number>;
    const people = new Map<string, LateResponsible>();
    for (const r of rows) {
      if (r.entity in byEntity) byEntity[r.entity] += r.n;
      const k = r.responsible_id ?? '';
      const p = people.get(k);
      const oldest = new Date(r.oldest).toISOString();
      if (!p)
        people.set(k, {
          responsibleId: r.responsible_id,
          responsibleName: r.responsible_name ?? '',
          count: r.n,
          oldestDeadline: oldest,
        });
      else {
        p.count += r.n;
        if (oldest < p.oldestDeadline) p.oldestDeadline = oldest;
        if (!p.responsibleName) p.responsibleName = r.responsible_name ?? '';
      }
    }
    const late = [...people.values()].sort(
      (a, b) =>
        b.count - a.count ||
        a.responsibleName.localeCompare(b.responsibleName, 'ru') ||
        (a.responsibleId ?? '').localeCompare(b.responsibleId ?? ''),
    );
    return { at: at.toISOString(), total: late.reduce((s, p) => s + p.count, 0), byEntity, late };
  }
}
