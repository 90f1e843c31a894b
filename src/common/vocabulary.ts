/**
 * The result vocabulary of the REST API (README.md#the-rest-api): entity names, discrepancy
 * kinds, run statuses, triggers. Every module uses these names; none spells them again.
 */

/** Entities that sync writes to the CRM, in link order (a contact needs its company, a deal its company). */
export const SYNC_ENTITIES = ['counterparties', 'contacts', 'deals'] as const;
export type SyncEntity = (typeof SYNC_ENTITIES)[number];

/** Entities that reconciliation checks; `debts` is reconciled only, never synced. */
export const RECONCILE_ENTITIES = ['counterparties', 'contacts', 'deals', 'debts'] as const;
export type ReconcileEntity = (typeof RECONCILE_ENTITIES)[number];

export const DISCREPANCY_KINDS = [
  'missing_in_crm',
  'orphan_in_crm',
  'field_mismatch',
  'status_mismatch',
  'debt_mismatch',
  'count_mismatch',
  'invalid_value',
  'sync_failure',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'partial', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running'];

/** Who started a run; `feed` (sync runs only): a pull of the 1C change feed (a doorbell or the poll). */
export const RUN_TRIGGERS = ['schedule', 'api', 'cli', 'feed'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const SYNC_RESULTS = ['created', 'updated', 'unchanged', 'skipped', 'failed'] as const;
export type SyncResult = (typeof SYNC_RESULTS)[number];

export const DUPLICATE_SCOPES = ['onec', 'crm', 'cross'] as const;
export type DuplicateScope = (typeof DUPLICATE_SCOPES)[number];

export const SYSTEMS = ['onec', 'crm'] as const;
export type SystemName = (typeof SYSTEMS)[number];
