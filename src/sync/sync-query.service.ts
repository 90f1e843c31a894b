import { Inject, Injectable, NotFoundException, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../common/http/pagination.js';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { FeedStateStore, type FeedStatus } from './feed-state.store.js';
import { SyncFindingsReader } from './sync-findings.reader.js';
import type { PlanItemView } from './plan-csv.js';
import {
  SyncStore,
  toSyncRunView,
  type PlanItemRow,
  type SyncRunRow,
  type SyncRunView,
} from './sync-store.js';

export interface SyncEntityStatus {
  entity: SyncEntity;
  lastSuccessAt: string | null;
  /** Seconds since the last success (null when never). */
  lagSeconds: number | null;
  pendingRetries: number;
  deadLetters: number;
  /** Linked records flagged because 1C marked them deleted or they vanished. */
  flagged: number;
  /** Field conflicts (manual strategy) waiting for a person. */
  openConflicts: number;
}

export interface ConflictView {
  id: string;
  entity: SyncEntity;
  onecRef: string;
  crmId: string;
  field: string;
  onecValue: string | null;
  crmValue: string | null;
  status: 'open' | 'resolved';
  resolution: 'onec' | 'crm' | null;
  resolvedBy: string | null;
  createdAt: string;
  resolvedAt: string | null;
}

/** Read side of sync for REST, the demo and reconciliation. */
@Injectable()
export class SyncQueryService {
  readonly store: SyncStore;
  private readonly feedState: FeedStateStore;
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Optional() @Inject(SETTINGS) private readonly settings?: Settings | null,
  ) {
    this.store = new SyncStore(db);
    this.feedState = new FeedStateStore(db);
  }

  async listRuns(q: { limit: number; cursor?: string }): Promise<Page<SyncRunView>> {
    const c = decodeCursor(q.cursor, { t: 'timestamp', id: 'uuid' });
    // The cursor keeps created_at to the microsecond (toISOString would cut it to milliseconds and skip rows).
    const rows = (await this.db.query(
      `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts FROM sync_run
        WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [c?.t ?? null, c?.id ?? null, q.limit + 1],
    )) as (SyncRunRow & { cursor_ts: string })[];
    const ts = new Map(rows.map((r) => [r.id, r.cursor_ts]));
    const [{ n }] = (await this.db.query(`SELECT count(*)::int AS n FROM sync_run`)) as { n: number }[];
    return toPage(rows.map(toSyncRunView), q.limit, n, (r) => ({ t: ts.get(r.id), id: r.id }));
  }

  async getRun(id: string): Promise<SyncRunView> {
    const r = await this.store.getRun(id);
    if (!r) throw new NotFoundException({ title: 'Sync run not found', detail: `No sync run ${id}` });
    return toSyncRunView(r);
  }

  /**
   * A dry run's plan items (cursor-paginated, in plan order). 404 for an unknown run or one that is not a
   * dry run.
   */
  async plan(
    id: string,
    q: { limit: number; cursor?: string; entity?: SyncEntity; action?: string },
  ): Promise<Page<PlanItemView>> {
    const run = await this.store.getRun(id);
    if (!run) throw new NotFoundException({ title: 'Sync run not found', detail: `No sync run ${id}` });
    if (!run.dry_run)
      throw new NotFoundException({
        title: 'No plan',
        detail: `Sync run ${id} is not a dry run: only dry runs keep a plan (POST /api/v1/sync/runs {"dryRun": true})`,
      });
    const c = decodeCursor(q.cursor, { seq: 'bigint' });
    const { rows, total } = await this.store.planItems(id, {
      entity: q.entity,
      action: q.action,
      afterSeq: c ? Number(c.seq) : 0,
      limit: q.limit + 1,
    });
    const page = toPage(rows, q.limit, total, (r) => ({ seq: String(r.seq) }));
    return { ...page, items: page.items.map(toPlanItemView) };
  }

  /** Every item of a dry run's plan matching the filters (for CSV), read in pages. */
  async planAll(id: string, q: { entity?: SyncEntity; action?: string }): Promise<PlanItemView[]> {
    await this.plan(id, { limit: 1 });
    const out: PlanItemView[] = [];
    let afterSeq = 0;
    for (;;) {
      const { rows } = await this.store.planItems(id, { ...q, afterSeq, limit: 5000 });
      out.push(...rows.map(toPlanItemView));
      if (rows.length < 5000) return out;
      afterSeq = rows[rows.length - 1].seq;
    }
  }

  /**
   * Per entity: last success, lag, retries, dead letters, flags, conflicts; the active run; and, with the
   * 1C change feed on (ONEC_FEED_URL), the feed's state (null when it is off).
   */
  async status(
    now = new Date(),
  ): Promise<{ entities: SyncEntityStatus[]; activeRunId: string | null; feed: FeedStatus | null }> {
    const last = await new SyncFindingsReader(this.db).lastSuccess();
    const fails = await this.store.failureCounts();
    const flagged = (await this.db.query(
      `SELECT entity, count(*)::int AS n FROM entity_link WHERE flagged_at IS NOT NULL GROUP BY entity`,
    )) as { entity: string; n: number }[];
    const conflicts = (await this.db.query(
      `SELECT entity, count(*)::int AS n FROM sync_conflict WHERE status = 'open' GROUP BY entity`,
    )) as { entity: string; n: number }[];
    const [active] = (await this.db.query(
      `SELECT id FROM sync_run WHERE status IN ('queued', 'running') LIMIT 1`,
    )) as { id: string }[];
    return {
      activeRunId: active?.id ?? null,
      feed: this.settings?.ONEC_FEED_URL
        ? await this.feedState.status(this.settings.ONEC_FEED_POLL_SECONDS, now)
        : null,
      entities: SYNC_ENTITIES.map((entity) => {
        const at = last.get(entity) ?? null;
        return {
          entity,
          lastSuccessAt: at ? at.toISOString() : null,
          lagSeconds: at ? Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000)) : null,
          pendingRetries: fails.get(entity)?.pending ?? 0,
          deadLetters: fails.get(entity)?.dead ?? 0,
          flagged: flagged.find((f) => f.entity === entity)?.n ?? 0,
          openConflicts: conflicts.find((c) => c.entity === entity)?.n ?? 0,
        };
      }),
    };
  }

  async conflicts(q: {
    limit: number;
    cursor?: string;
    status?: 'open' | 'resolved';
    entity?: SyncEntity;
    field?: string;
  }): Promise<Page<ConflictView>> {
    const c = decodeCursor(q.cursor, { id: 'bigint' });
    const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR entity = $2) AND ($3::text IS NULL OR field = $3)`;
    const filter = [q.status ?? null, q.entity ?? null, q.field ?? null];
    const rows = (await this.db.query(
      `SELECT * FROM sync_conflict WHERE ${where} AND ($4::bigint IS NULL OR id > $4::bigint) ORDER BY id LIMIT $5`,
      [...filter, c?.id ?? null, q.limit + 1],
    )) as Record<string, unknown>[];
    const [{ n }] = (await this.db.query(
      `SELECT count(*)::int AS n FROM sync_conflict WHERE ${where}`,
      filter,
    )) as { n: number }[];
    return toPage(rows.map(toConflictView), q.limit, n, (r) => ({ id: r.id }));
  }
}

function toPlanItemView(r: PlanItemRow): PlanItemView {
  return {
    entity: r.entity,
    action: r.action as PlanItemView['action'],
    onecRef: r.onec_ref,
    crmId: r.crm_id,
    name: r.name,
    inn: r.inn,
    changes: r.changes,
    reason: r.reason,
  };
}

export function toConflictView(r: Record<string, unknown>): ConflictView {
  const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
  return {
    id: String(r.id),
    entity: r.entity as SyncEntity,
    onecRef: String(r.onec_ref),
    crmId: String(r.crm_id),
    field: String(r.field),
    onecValue: (r.onec_value as string | null) ?? null,
    crmValue: (r.crm_value as string | null) ?? null,
    status: r.status as 'open' | 'resolved',
    resolution: (r.resolution as 'onec' | 'crm' | null) ?? null,
    resolvedBy: (r.resolved_by as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    resolvedAt: iso(r.resolved_at),
  };
}
