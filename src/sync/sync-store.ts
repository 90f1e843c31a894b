import type { DataSource } from 'typeorm';
import type { RunStatus, RunTrigger, SyncEntity } from '../common/vocabulary.js';
import type { RunRowBase, RunTableSpec } from '../runs/run.types.js';
import { SYNC_RUN_QUEUE } from './sync.constants.js';
import type { PlanLink } from './plan-sync.js';
import { returned } from '../database/query-result.js';
import type { RunPlan } from './dry-run-plan.js';

export interface EntityStats {
  scanned: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /** A person's CRM record adopted for a 1C record by matching (README.md#going-live). */
  linked: number;
  /** 1C records held for a matching decision (review items), not created. */
  held: number;
}
export type SyncStats = Partial<Record<SyncEntity, EntityStats>>;

export function emptyStats(): EntityStats {
  return { scanned: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, linked: 0, held: 0 };
}

/** One message of the 1C change feed as a feed run applied it. */
export interface FeedMessageLog {
  messageNo: number;
  /** Items the message named (readable ones). */
  items: number;
  /** Items that could not be read, with the reason (logged and kept here; never dropped silently). */
  malformed: string[];
  /** Items not settled in this run (failed with retries left, or waiting for their backoff): the message is not acknowledged. */
  unsettled: number;
  acked: boolean;
}

/** The change-feed part of a feed run (`sync_run.feed`). */
export interface FeedRunLog {
  messages: FeedMessageLog[];
}

export interface SyncRunRow extends RunRowBase {
  slot: Date | null;
  full_sync: boolean;
  entities: SyncEntity[];
  stats: SyncStats;
  /** Feed runs: the messages applied (null for scans). */
  feed: FeedRunLog | null;
  /** A dry run: planned, nothing written (README.md#going-live). */
  dry_run: boolean;
  /** A dry run's counts per entity and action (null for real runs). */
  plan: RunPlan | null;
}

/** The sync runs' table in the shared run lifecycle (src/runs/). */
export const SYNC_RUNS: RunTableSpec = {
  kind: 'sync',
  noun: 'sync run',
  table: 'sync_run',
  queue: SYNC_RUN_QUEUE,
  columns: ['full_sync', 'entities', 'stats', 'feed', 'dry_run', 'plan'],
  constraints: { slot: 'sync_run_slot_key', oneActive: 'sync_run_one_active' },
};

export interface SyncRunView {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  full: boolean;
  entities: SyncEntity[];
  slot: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  stats: SyncStats;
  /** Feed runs (`trigger: "feed"`): the 1C change-feed messages applied and whether each was acknowledged; null for scans. */
  feed: FeedRunLog | null;
  /** A dry run: the CRM was only read; `summary.plan` counts what a real run would do (README.md#going-live). */
  dryRun: boolean;
  summary: { plan: RunPlan } | null;
  error: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toSyncRunView(r: SyncRunRow): SyncRunView {
  return {
    id: r.id,
    status: r.status,
    trigger: r.trigger,
    full: r.full_sync,
    entities: r.entities,
    slot: iso(r.slot),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    createdAt: new Date(r.created_at).toISOString(),
    stats: r.stats,
    feed: r.feed ?? null,
    dryRun: r.dry_run ?? false,
    summary: r.dry_run ? { plan: r.plan ?? {} } : null,
    error: r.error,
  };
}

/** A row of `sync_plan_item`. */
export interface PlanItemRow {
  entity: SyncEntity;
  action: string;
  onec_ref: string;
  crm_id: string | null;
  name: string;
  inn: string | null;
  changes: { field: string; crm: string; onec: string }[] | null;
  reason: string | null;
}

export interface LinkRow {
  entity: SyncEntity;
  onec_ref: string;
  crm_id: string;
  data_version: string | null;
  pushed_hash: string | null;
  pushed_values: Record<string, string>;
  flagged_at: Date | null;
  onec_seen_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toPlanLink(r: LinkRow): PlanLink {
  return {
    crmId: r.crm_id,
    dataVersion: r.data_version,
    pushedValues: r.pushed_values ?? {},
    flaggedAt: r.flagged_at,
    onecSeenAt: r.onec_seen_at,
  };
}

export interface LinkWrite {
  ref: string;
  crmId: string;
  /** null = the record's writes are not all done yet (the next run plans it again). */
  dataVersion: string | null;
  pushedValues?: Record<string, string>;
  pushedHash?: string | null;
}

/** SQL of the sync tables (entity_link, sync_run, sync_item_failure, sync_conflict). */
export class SyncStore {
  constructor(readonly db: DataSource) {}

  // ---------------- links ----------------

  async links(entity: SyncEntity): Promise<Map<string, LinkRow>> {
    const rows = (await this.db.query(`SELECT * FROM entity_link WHERE entity = $1`, [entity])) as LinkRow[];
    return new Map(rows.map((r) => [r.onec_ref, r]));
  }

  /** The link rows of the given refs only (a feed run reads the records the feed named, not the whole table). */
  async linksFor(entity: SyncEntity, refs: string[]): Promise<Map<string, LinkRow>> {
    if (!refs.length) return new Map();
    const rows = (await this.db.query(
      `SELECT * FROM entity_link WHERE entity = $1 AND onec_ref = ANY($2::text[])`,
      [entity, refs],
    )) as LinkRow[];
    return new Map(rows.map((r) => [r.onec_ref, r]));
  }

  /** 1C ref → CRM id of every link of an entity (e.g. the company of each counterparty). */
  async crmIdsByRef(entity: SyncEntity): Promise<Map<string, string>> {
    const rows = (await this.db.query(`SELECT onec_ref, crm_id FROM entity_link WHERE entity = $1`, [
      entity,
    ])) as {
      onec_ref: string;
      crm_id: string;
    }[];
    return new Map(rows.map((r) => [r.onec_ref, r.crm_id]));
  }

  /**
   * Saves links (one statement, called right after each CRM batch answer). A link whose CRM id
   * changed (the CRM record was gone and created again) replaces the old one.
   */
  async saveLinks(entity: SyncEntity, writes: LinkWrite[], seenAt = new Date()): Promise<void> {
    if (!writes.length) return;
    const rows = writes.map((w) => ({
      ref: w.ref,
      crm: w.crmId,
      dv: w.dataVersion,
      pv: w.pushedValues ?? null,
      ph: w.pushedHash ?? null,
    }));
    await this.db.transaction(async (m) => {
      // A CRM id now linked to another ref (a re-created record took over an id): the old link goes.
      await m.query(
        `DELETE FROM entity_link l USING jsonb_to_recordset($2::jsonb) AS i(ref text, crm text)
          WHERE l.entity = $1 AND l.crm_id = i.crm AND l.onec_ref <> i.ref`,
        [entity, JSON.stringify(rows)],
      );
      await m.query(
        `INSERT INTO entity_link AS l (entity, onec_ref, crm_id, data_version, pushed_values, pushed_hash, onec_seen_at)
         SELECT $1, x.ref, x.crm, x.dv, COALESCE(x.pv, '{}'::jsonb), x.ph, $3
           FROM jsonb_to_recordset($2::jsonb) AS x(ref text, crm text, dv text, pv jsonb, ph text)
         ON CONFLICT (entity, onec_ref) DO UPDATE SET
           crm_id = EXCLUDED.crm_id,
           data_version = EXCLUDED.data_version,
           pushed_values = CASE WHEN EXCLUDED.pushed_hash IS NULL THEN l.pushed_values ELSE EXCLUDED.pushed_values END,
           pushed_hash = COALESCE(EXCLUDED.pushed_hash, l.pushed_hash),
           onec_seen_at = CASE WHEN l.data_version IS DISTINCT FROM EXCLUDED.data_version OR l.onec_seen_at IS NULL
                               THEN EXCLUDED.onec_seen_at ELSE l.onec_seen_at END,
           flagged_at = NULL,
           updated_at = now()`,
        [entity, JSON.stringify(rows), seenAt],
      );
    });
  }

  async skipped(entity: SyncEntity): Promise<Map<string, { dataVersion: string; waitsFor: string | null }>> {
    const rows = (await this.db.query(
      `SELECT onec_ref, data_version, waits_for FROM sync_skipped WHERE entity = $1`,
      [entity],
    )) as {
      onec_ref: string;
      data_version: string;
      waits_for: string | null;
    }[];
    return new Map(rows.map((r) => [r.onec_ref, { dataVersion: r.data_version, waitsFor: r.waits_for }]));
  }

  async saveSkipped(
    entity: SyncEntity,
    items: { ref: string; dataVersion: string; reason: string; waitsFor?: string | null }[],
  ): Promise<void> {
    if (!items.length) return;
    await this.db.query(
      `INSERT INTO sync_skipped (entity, onec_ref, data_version, reason, waits_for)
       SELECT $1, ref, dv, reason, wf FROM jsonb_to_recordset($2::jsonb) AS x(ref text, dv text, reason text, wf text)
       ON CONFLICT (entity, onec_ref) DO UPDATE SET data_version = EXCLUDED.data_version, reason = EXCLUDED.reason,
         waits_for = EXCLUDED.waits_for, updated_at = now()`,
      [
        entity,
        JSON.stringify(
          items.map((i) => ({ ref: i.ref, dv: i.dataVersion, reason: i.reason, wf: i.waitsFor ?? null })),
        ),
      ],
    );
  }

  /**
   * Flags links whose 1C record is deletion-marked (`dataVersion` = the marked version) or gone
   * (`null`: the version is forgotten, so a record that comes back is read again). The first flag time stays.
   */
  async flag(entity: SyncEntity, refs: { ref: string; dataVersion: string | null }[]): Promise<void> {
    if (!refs.length) return;
    await this.db.query(
      `UPDATE entity_link l SET flagged_at = COALESCE(l.flagged_at, now()), updated_at = now(), data_version = x.dv
         FROM jsonb_to_recordset($2::jsonb) AS x(ref text, dv text)
        WHERE l.entity = $1 AND l.onec_ref = x.ref`,
      [entity, JSON.stringify(refs.map((r) => ({ ref: r.ref, dv: r.dataVersion })))],
    );
  }

  /** Flagged links (deletion-marked or vanished 1C records whose CRM record is kept), for reports. */
  async flagged(entity?: SyncEntity): Promise<LinkRow[]> {
    return (await this.db.query(
      `SELECT * FROM entity_link WHERE flagged_at IS NOT NULL AND ($1::text IS NULL OR entity = $1) ORDER BY entity, onec_ref`,
      [entity ?? null],
    )) as LinkRow[];
  }

  // ---------------- failures ----------------

  /** Records a failure: attempts + 1, backoff, dead after `maxAttempts`. Returns the refs that became dead. */
  async recordFailures(
    runId: string | null,
    entity: SyncEntity,
    items: { ref: string; dataVersion: string | null; error: string }[],
    maxAttempts: number,
    backoffMs: (attempt: number) => number,
  ): Promise<{ ref: string; attempts: number; dead: boolean }[]> {
    const out: { ref: string; attempts: number; dead: boolean }[] = [];
    for (const it of items) {
      const rows = returned<{ attempts: number }>(
        await this.db.query(
          `INSERT INTO sync_item_failure (run_id, entity, onec_ref, data_version, attempts, last_error)
         VALUES ($1, $2, $3, $4, 1, $5)
         ON CONFLICT (entity, onec_ref) DO UPDATE SET
           run_id = EXCLUDED.run_id,
           attempts = CASE WHEN sync_item_failure.data_version IS DISTINCT FROM EXCLUDED.data_version AND sync_item_failure.dead
                           THEN 1 ELSE sync_item_failure.attempts + 1 END,
           data_version = EXCLUDED.data_version,
           last_error = EXCLUDED.last_error,
           updated_at = now()
         RETURNING attempts`,
          [runId, entity, it.ref, it.dataVersion, it.error.slice(0, 1000)],
        ),
      );
      const attempts = rows[0].attempts;
      const dead = attempts >= maxAttempts;
      await this.db.query(
        `UPDATE sync_item_failure SET dead = $3, next_attempt_at = CASE WHEN $3 THEN NULL ELSE now() + ($4::text || ' milliseconds')::interval END
          WHERE entity = $1 AND onec_ref = $2`,
        [entity, it.ref, dead, String(backoffMs(attempts))],
      );
      out.push({ ref: it.ref, attempts, dead });
    }
    return out;
  }

  async clearFailures(entity: SyncEntity, refs: string[]): Promise<void> {
    if (!refs.length) return;
    await this.db.query(`DELETE FROM sync_item_failure WHERE entity = $1 AND onec_ref = ANY($2::text[])`, [
      entity,
      refs,
    ]);
  }

  /** Dead refs with the DataVersion they died at (skipped until 1C changes the record). */
  async deadVersions(entity: SyncEntity): Promise<Map<string, string | null>> {
    const rows = (await this.db.query(
      `SELECT onec_ref, data_version FROM sync_item_failure WHERE entity = $1 AND dead`,
      [entity],
    )) as { onec_ref: string; data_version: string | null }[];
    return new Map(rows.map((r) => [r.onec_ref, r.data_version]));
  }

  /** Records that failed and will be tried again: ref → the DataVersion that failed and when the next try is due. */
  async retries(
    entity: SyncEntity,
  ): Promise<Map<string, { dataVersion: string | null; notBefore: Date | null }>> {
    const rows = (await this.db.query(
      `SELECT onec_ref, data_version, next_attempt_at FROM sync_item_failure WHERE entity = $1 AND NOT dead`,
      [entity],
    )) as { onec_ref: string; data_version: string | null; next_attempt_at: Date | null }[];
    return new Map(
      rows.map((r) => [
        r.onec_ref,
        { dataVersion: r.data_version, notBefore: r.next_attempt_at && new Date(r.next_attempt_at) },
      ]),
    );
  }

  /** Dead letters (reconciliation reports them as `sync_failure`). */
  async deadLetters(entity?: SyncEntity): Promise<
    {
      entity: SyncEntity;
      onecRef: string;
      attempts: number;
      lastError: string;
      runId: string | null;
      updatedAt: Date;
    }[]
  > {
    const rows = (await this.db.query(
      `SELECT entity, onec_ref, attempts, last_error, run_id, updated_at FROM sync_item_failure
        WHERE dead AND ($1::text IS NULL OR entity = $1) ORDER BY entity, onec_ref`,
      [entity ?? null],
    )) as {
      entity: SyncEntity;
      onec_ref: string;
      attempts: number;
      last_error: string;
      run_id: string | null;
      updated_at: Date;
    }[];
    return rows.map((r) => ({
      entity: r.entity,
      onecRef: r.onec_ref,
      attempts: r.attempts,
      lastError: r.last_error,
      runId: r.run_id,
      updatedAt: r.updated_at,
    }));
  }

  async failureCounts(): Promise<Map<string, { pending: number; dead: number }>> {
    const rows = (await this.db.query(
      `SELECT entity, count(*) FILTER (WHERE NOT dead)::int AS pending, count(*) FILTER (WHERE dead)::int AS dead
         FROM sync_item_failure GROUP BY entity`,
    )) as { entity: string; pending: number; dead: number }[];
    return new Map(rows.map((r) => [r.entity, { pending: r.pending, dead: r.dead }]));
  }

  // ---------------- conflicts ----------------

  /** Field conflicts of an entity waiting for a person. */
  async openConflictCount(entity: SyncEntity): Promise<number> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS n FROM sync_conflict WHERE entity = $1 AND status = 'open'`,
      [entity],
    )) as { n: number }[];
    return row.n;
  }

  async openConflicts(
    entity: SyncEntity,
    items: { ref: string; crmId: string; field: string; onecValue: string; crmValue: string }[],
  ): Promise<number> {
    if (!items.length) return 0;
    await this.db.query(
      `INSERT INTO sync_conflict (entity, onec_ref, crm_id, field, onec_value, crm_value)
       SELECT $1, ref, crm, field, ov, cv FROM jsonb_to_recordset($2::jsonb) AS x(ref text, crm text, field text, ov text, cv text)
       ON CONFLICT (entity, onec_ref, field) WHERE status = 'open'
       DO UPDATE SET onec_value = EXCLUDED.onec_value, crm_value = EXCLUDED.crm_value, crm_id = EXCLUDED.crm_id, updated_at = now()`,
      [
        entity,
        JSON.stringify(
          items.map((i) => ({ ref: i.ref, crm: i.crmId, field: i.field, ov: i.onecValue, cv: i.crmValue })),
        ),
      ],
    );
    return items.length;
  }

  // ---------------- runs (the lifecycle is src/runs/; these are sync's own reads) ----------------

  async getRun(id: string): Promise<SyncRunRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = (await this.db.query(`SELECT * FROM sync_run WHERE id = $1`, [id])) as SyncRunRow[];
    return rows[0] ?? null;
  }

  /** A dry run's plan items, filtered, in plan order (cursor: the last row's `seq`). */
  async planItems(
    runId: string,
    q: { entity?: SyncEntity; action?: string; afterSeq?: number; limit: number },
  ): Promise<{ rows: (PlanItemRow & { seq: number })[]; total: number }> {
    const where = `run_id = $1 AND ($2::text IS NULL OR entity = $2) AND ($3::text IS NULL OR action = $3)`;
    const filter = [runId, q.entity ?? null, q.action ?? null];
    const rows = (await this.db.query(
      `SELECT seq, entity, action, onec_ref, crm_id, name, inn, changes, reason FROM sync_plan_item
        WHERE ${where} AND seq > $4 ORDER BY seq LIMIT $5`,
      [...filter, q.afterSeq ?? 0, q.limit],
    )) as (PlanItemRow & { seq: number })[];
    const [{ n }] = (await this.db.query(
      `SELECT count(*)::int AS n FROM sync_plan_item WHERE ${where}`,
      filter,
    )) as { n: number }[];
    return { rows, total: n };
  }

  /** Whether a version scan (any run but a feed run) ever finished succeeded or partial: the first load is done. */
  async scanFinished(): Promise<boolean> {
    const [row] = (await this.db.query(
      `SELECT EXISTS (SELECT 1 FROM sync_run WHERE trigger <> 'feed' AND NOT dry_run AND status IN ('succeeded', 'partial')) AS done`,
    )) as { done: boolean }[];
    return row.done;
  }
}
