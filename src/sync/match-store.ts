import type { DataSource } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../common/http/pagination.js';
import { returned } from '../database/query-result.js';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';
import type { MatchCandidate } from './match-records.js';

export type MatchStatus = 'open' | 'resolved' | 'closed';

/** A review item: a 1C record held until an operator decides which CRM record it is (README.md#going-live). */
export interface MatchView {
  id: string;
  entity: SyncEntity;
  onecRef: string;
  name: string;
  inn: string | null;
  kpp: string | null;
  status: MatchStatus;
  reason: string;
  candidates: MatchCandidate[];
  /** The decision: link to this CRM record, or create a new one. */
  decision: { crmId: string } | { create: true } | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  /** When the next sync carried the decision out (or the item closed on its own: `closedReason`). */
  appliedAt: string | null;
  closedReason: string | null;
  createdAt: string;
}

export interface PendingMatch {
  id: string;
  status: 'open' | 'resolved';
  decisionCrmId: string | null;
  decisionCreate: boolean;
  candidates: MatchCandidate[];
}

export interface ReviewItem {
  ref: string;
  name: string;
  inn: string | null;
  kpp: string | null;
  reason: string;
  candidates: MatchCandidate[];
}

interface MatchRow {
  id: string;
  entity: SyncEntity;
  onec_ref: string;
  status: MatchStatus;
  name: string;
  inn: string | null;
  kpp: string | null;
  reason: string;
  candidates: MatchCandidate[];
  decision_crm_id: string | null;
  decision_create: boolean;
  resolved_by: string | null;
  resolved_at: Date | null;
  applied_at: Date | null;
  closed_reason: string | null;
  created_at: Date;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toView(r: MatchRow): MatchView {
  return {
    id: r.id,
    entity: r.entity,
    onecRef: r.onec_ref,
    name: r.name,
    inn: r.inn,
    kpp: r.kpp,
    status: r.status,
    reason: r.reason,
    candidates: r.candidates,
    decision: r.decision_crm_id ? { crmId: r.decision_crm_id } : r.decision_create ? { create: true } : null,
    resolvedBy: r.resolved_by,
    resolvedAt: iso(r.resolved_at),
    appliedAt: iso(r.applied_at),
    closedReason: r.closed_reason,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** Why a resolve was refused: the API maps these to 404, 409 and 400. */
export class MatchResolveError extends Error {
  constructor(
    readonly reason: 'not_found' | 'not_open' | 'not_candidate',
    message: string,
  ) {
    super(message);
  }
}

/** SQL of the review queue (`sync_match`). */
export class MatchStore {
  constructor(private readonly db: DataSource) {}

  /** Open or resolved (not yet applied) items of these refs. */
  async pending(entity: SyncEntity, refs: string[]): Promise<Map<string, PendingMatch>> {
    if (!refs.length) return new Map();
    const rows = (await this.db.query(
      `SELECT * FROM sync_match WHERE entity = $1 AND onec_ref = ANY($2::text[]) AND status IN ('open', 'resolved')`,
      [entity, refs],
    )) as MatchRow[];
    return new Map(
      rows.map((r) => [
        r.onec_ref,
        {
          id: r.id,
          status: r.status as 'open' | 'resolved',
          decisionCrmId: r.decision_crm_id,
          decisionCreate: r.decision_create,
          candidates: r.candidates,
        },
      ]),
    );
  }

  /** Opens review items, or refreshes the candidates and reason of open ones (resolved ones are left as decided). */
  async hold(entity: SyncEntity, items: ReviewItem[]): Promise<void> {
    if (!items.length) return;
    await this.db.query(
      `INSERT INTO sync_match (entity, onec_ref, name, inn, kpp, reason, candidates)
       SELECT $1, x.ref, x.name, x.inn, x.kpp, x.reason, x.candidates
         FROM jsonb_to_recordset($2::jsonb) AS x(ref text, name text, inn text, kpp text, reason text, candidates jsonb)
       ON CONFLICT (entity, onec_ref) WHERE status IN ('open', 'resolved')
       DO UPDATE SET name = EXCLUDED.name, inn = EXCLUDED.inn, kpp = EXCLUDED.kpp,
         reason = CASE WHEN sync_match.status = 'open' THEN EXCLUDED.reason ELSE sync_match.reason END,
         candidates = CASE WHEN sync_match.status = 'open' THEN EXCLUDED.candidates ELSE sync_match.candidates END,
         updated_at = now()`,
      [entity, JSON.stringify(items)],
    );
  }

  /**
   * Items of records that are linked now (a decision carried out, or the record linked or created by a
   * later match): closed — `applied` for resolved ones, with `reason` for open ones. Returns how many.
   */
  async settle(entity: SyncEntity, refs: string[], reason: string): Promise<number> {
    if (!refs.length) return 0;
    const rows = returned<{ id: string }>(
      await this.db.query(
        `UPDATE sync_match m SET status = 'closed', updated_at = now(),
              applied_at = CASE WHEN m.status = 'resolved' THEN now() ELSE m.applied_at END,
              closed_reason = CASE WHEN m.status = 'resolved' THEN 'applied' ELSE $3 END
         FROM entity_link l
        WHERE m.entity = $1 AND m.onec_ref = ANY($2::text[]) AND m.status IN ('open', 'resolved')
          AND l.entity = m.entity AND l.onec_ref = m.onec_ref
        RETURNING m.id`,
        [entity, refs, reason],
      ),
    );
    return rows.length;
  }

  /** Closes items whose 1C record is no longer waiting (deletion-marked, gone, out of scope). */
  async close(entity: SyncEntity, refs: string[], reason: string): Promise<void> {
    if (!refs.length) return;
    await this.db.query(
      `UPDATE sync_match SET status = 'closed', closed_reason = $3, updated_at = now()
        WHERE entity = $1 AND onec_ref = ANY($2::text[]) AND status IN ('open', 'resolved')`,
      [entity, refs, reason],
    );
  }

  /** A decision reopens when what it named cannot be carried out (the chosen CRM record is gone or taken). */
  async reopen(id: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE sync_match SET status = 'open', reason = $2, decision_crm_id = NULL, decision_create = false,
              resolved_by = NULL, resolved_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'resolved'`,
      [id, reason],
    );
  }

  async openCounts(): Promise<Record<SyncEntity, number>> {
    const rows = (await this.db.query(
      `SELECT entity, count(*)::int AS n FROM sync_match WHERE status = 'open' GROUP BY entity`,
    )) as { entity: SyncEntity; n: number }[];
    const out = Object.fromEntries(SYNC_ENTITIES.map((e) => [e, 0])) as Record<SyncEntity, number>;
    for (const r of rows) if (r.entity in out) out[r.entity] = r.n;
    return out;
  }

  /** Refs held for a decision (open items): reconciliation says why they are missing in the CRM. */
  async heldRefs(entity: SyncEntity): Promise<Set<string>> {
    const rows = (await this.db.query(
      `SELECT onec_ref FROM sync_match WHERE entity = $1 AND status IN ('open', 'resolved')`,
      [entity],
    )) as { onec_ref: string }[];
    return new Set(rows.map((r) => r.onec_ref));
  }

  async list(q: {
    limit: number;
    cursor?: string;
    status?: MatchStatus;
    entity?: SyncEntity;
  }): Promise<Page<MatchView>> {
    const c = decodeCursor(q.cursor, { t: 'timestamp', id: 'uuid' });
    const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR entity = $2)`;
    const filter = [q.status ?? null, q.entity ?? null];
    const rows = (await this.db.query(
      `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts FROM sync_match
        WHERE ${where} AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
        ORDER BY created_at, id LIMIT $5`,
      [...filter, c?.t ?? null, c?.id ?? null, q.limit + 1],
    )) as (MatchRow & { cursor_ts: string })[];
    const ts = new Map(rows.map((r) => [r.id, r.cursor_ts]));
    const [{ n }] = (await this.db.query(
      `SELECT count(*)::int AS n FROM sync_match WHERE ${where}`,
      filter,
    )) as { n: number }[];
    return toPage(rows.map(toView), q.limit, n, (r) => ({ t: ts.get(r.id), id: r.id }));
  }

  async get(id: string): Promise<MatchView | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const [row] = (await this.db.query(`SELECT * FROM sync_match WHERE id = $1`, [id])) as MatchRow[];
    return row ? toView(row) : null;
  }

  /**
   * Records an operator's decision on an open item: link to one of its candidates, or create. The next
   * sync carries it out. Refused (MatchResolveError) for an unknown id, an item that is not open, or a
   * CRM id that is not one of the candidates.
   */
  async resolve(id: string, decision: { crmId: string } | { create: true }, by: string): Promise<MatchView> {
    const item = await this.get(id);
    if (!item) throw new MatchResolveError('not_found', `No match ${id}`);
    if (item.status !== 'open')
      throw new MatchResolveError(
        'not_open',
        `Match ${id} is ${item.status}${item.decision ? ' (decided before)' : ''}: only open matches can be resolved`,
      );
    if ('crmId' in decision && !item.candidates.some((c) => c.crmId === decision.crmId))
      throw new MatchResolveError(
        'not_candidate',
        `CRM record ${decision.crmId} is not a candidate of match ${id}; the candidates are ${item.candidates.map((c) => c.crmId).join(', ')}`,
      );
    const updated = returned<MatchRow>(
      await this.db.query(
        `UPDATE sync_match SET status = 'resolved', decision_crm_id = $2, decision_create = $3, resolved_by = $4,
              resolved_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'open' RETURNING *`,
        [id, 'crmId' in decision ? decision.crmId : null, 'create' in decision, by],
      ),
    );
    if (!updated.length) throw new MatchResolveError('not_open', `Match ${id} was resolved meanwhile`);
    return toView(updated[0]);
  }
}
