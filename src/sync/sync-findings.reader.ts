import type { DataSource } from 'typeorm';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';

export interface DeadLetter {
  entity: SyncEntity;
  onecRef: string;
  lastError: string;
}

export interface OpenConflicts {
  open: number;
  /** ISO time of the oldest open conflict, or null. */
  oldestOpenedAt: string | null;
}

/**
 * What sync tells the rest of the service about its state — reconciliation (dead letters become
 * `sync_failure` items; open conflicts go into the summary), metrics at start and the report. Sync's
 * tables are read only here and in its own store (src/sync/sync-store.ts).
 */
export class SyncFindingsReader {
  constructor(private readonly db: DataSource) {}

  /**
   * Copies sync's links (which CRM record belongs to which 1C record) into the caller's table with the
   * columns (entity, onec_ref, crm_id text), in the database — no rows pass through the process. False
   * when sync's tables are not deployed (reconciliation then falls back to the CRM's external keys).
   */
  async copyLinksInto(table: string): Promise<boolean> {
    const [{ ok }] = (await this.db.query(`SELECT to_regclass('public.entity_link') IS NOT NULL AS ok`)) as {
      ok: boolean;
    }[];
    if (!ok) return false;
    await this.db.query(
      `INSERT INTO ${table} (entity, onec_ref, crm_id)
       SELECT entity, onec_ref, crm_id::text FROM entity_link WHERE crm_id IS NOT NULL`,
    );
    return true;
  }

  /**
   * Copies the 1C records that sync holds for a matching decision (open or decided, not yet carried out)
   * into the caller's table (entity, onec_ref, candidates numeric): reconciliation says why they are missing.
   */
  async copyHeldInto(table: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${table} (entity, onec_ref, candidates)
       SELECT entity, onec_ref, jsonb_array_length(candidates) FROM sync_match WHERE status IN ('open', 'resolved')`,
    );
  }

  /** Records sync gave up on, of these entities (all when none are given). */
  async deadLetters(entities?: readonly string[]): Promise<DeadLetter[]> {
    const rows = (await this.db.query(
      `SELECT entity, onec_ref, last_error FROM sync_item_failure
        WHERE dead AND ($1::text[] IS NULL OR entity = ANY($1::text[])) ORDER BY entity, onec_ref`,
      [entities ? [...entities] : null],
    )) as { entity: SyncEntity; onec_ref: string; last_error: string }[];
    return rows.map((r) => ({ entity: r.entity, onecRef: r.onec_ref, lastError: r.last_error }));
  }

  /** Dead letters per entity. */
  async deadLetterCounts(): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT entity, count(*)::int AS n FROM sync_item_failure WHERE dead GROUP BY entity`,
    )) as { entity: string; n: number }[];
    return new Map(rows.map((r) => [r.entity, r.n]));
  }

  /** Field conflicts waiting for a person: how many, and since when. */
  async openConflicts(): Promise<OpenConflicts> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS open, min(created_at) AS oldest FROM sync_conflict WHERE status = 'open'`,
    )) as { open: number; oldest: Date | null }[];
    return { open: row.open, oldestOpenedAt: row.oldest ? new Date(row.oldest).toISOString() : null };
  }

  /** Review items of matching waiting for an operator's decision: how many, per entity. */
  async openMatches(): Promise<{ open: number; byEntity: Record<string, number> }> {
    const rows = (await this.db.query(
      `SELECT entity, count(*)::int AS n FROM sync_match WHERE status = 'open' GROUP BY entity ORDER BY entity`,
    )) as { entity: string; n: number }[];
    return {
      open: rows.reduce((n, r) => n + r.n, 0),
      byEntity: Object.fromEntries(rows.map((r) => [r.entity, r.n])),
    };
  }

  /** Open field conflicts per entity. */
  async openConflictCounts(): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT entity, count(*)::int AS n FROM sync_conflict WHERE status = 'open' GROUP BY entity`,
    )) as { entity: string; n: number }[];
    return new Map(rows.map((r) => [r.entity, r.n]));
  }

  /**
   * Per entity: when its step last ran to the end without a failed record (the finish time of the newest
   * such run) — or, with the 1C change feed, the last time the feed was seen caught up (nothing
   * unacknowledged in 1C: everything it named is written, skipped, flagged or a dead letter), whichever is
   * later: with the feed on the scan runs once a day. What the live gauge
   * `sverka_sync_last_success_timestamp_seconds` shows.
   */
  async lastSuccess(): Promise<Map<string, Date>> {
    const rows = (await this.db.query(
      `SELECT entity, max(at) AS at FROM (
         SELECT e AS entity, finished_at AS at FROM sync_run, unnest(entities) AS e
          WHERE status IN ('succeeded', 'partial') AND finished_at IS NOT NULL AND NOT dry_run AND stats ? e
            AND COALESCE((stats -> e ->> 'failed')::int, 0) = 0
         UNION ALL
         SELECT e, caught_up_at FROM onec_feed_state, unnest($1::text[]) AS e
          WHERE pending = 0 AND caught_up_at IS NOT NULL
       ) x GROUP BY entity`,
      [[...SYNC_ENTITIES]],
    )) as { entity: string; at: Date }[];
    return new Map(rows.map((r) => [r.entity, new Date(r.at)]));
  }
}
