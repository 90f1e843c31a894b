import type { DiscrepancyKind, Severity } from '../common/vocabulary.js';

/** pg-boss queue that executes reconciliation runs (any instance's worker takes the job). */
export const RECONCILE_QUEUE = 'reconcile-run';

/**
 * pg-boss queue of deferred scheduled runs: a daily tick that finds another run active (an API run, say)
 * leaves a job here, and any instance tries the day's slot again until it is taken or the day is over.
 */
export const RECONCILE_SLOT_RETRY_QUEUE = 'reconcile-slot-retry';

/** How long a deferred scheduled run waits before trying its slot again. */
export const SLOT_RETRY_AFTER_SECONDS = 60;

/** Schema of the per-run UNLOGGED staging tables (dropped and recreated by every run). */
export const STAGE_SCHEMA = 'reconcile_stage';

/** Rows per multi-row INSERT into staging (≈ 65535 bind parameters / widest row of 10 columns, rounded down). */
export const STAGE_INSERT_ROWS = 2000;

/** A `running` run whose heartbeat is older than this was left by a crashed instance and is recovered. */
export const RUN_STALE_AFTER_MS = 10 * 60_000;

/** How often a running run refreshes `heartbeat_at`. */
export const RUN_HEARTBEAT_MS = 30_000;

/** Default control-sample size for scheduled runs (records re-read one by one from both systems). */
export const DEFAULT_SAMPLE_SIZE = 50;

/** Base severity per kind; the thresholds below raise some items to `critical`. */
export const KIND_SEVERITY: Record<DiscrepancyKind, Severity> = {
  missing_in_crm: 'warning',
  orphan_in_crm: 'warning',
  // A field differing after a sync means the CRM shows users something 1C does not say.
  field_mismatch: 'warning',
  status_mismatch: 'warning',
  debt_mismatch: 'warning',
  count_mismatch: 'warning',
  // Bad source data: fix it in 1C; it does not block the sync.
  invalid_value: 'info',
  // Sync gave up on the record: someone must act.
  sync_failure: 'critical',
};

/** Fields whose mismatch is `critical` (identity of the party: a wrong INN/KPP sends invoices astray). */
export const CRITICAL_FIELDS = ['inn', 'kpp', 'ogrn'];

/** A debt difference of at least this (RUB) is `critical`. */
export const DEBT_CRITICAL_RUB = '10000.00';

/** A count differing by more than this share of the 1C count is `critical` (e.g. a failed sync of a whole page). */
export const COUNT_CRITICAL_SHARE = 0.01;
