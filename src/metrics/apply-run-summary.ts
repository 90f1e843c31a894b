import { toKopecks } from '../common/money.js';
import {
  DISCREPANCY_KINDS,
  DUPLICATE_SCOPES,
  RECONCILE_ENTITIES,
  SYNC_ENTITIES,
  type RunStatus,
  type SyncEntity,
} from '../common/vocabulary.js';
import type { RunSummary } from '../reconcile/reconcile.types.js';
import type { SverkaMetrics } from './sverka-metrics.js';

/** A finished reconciliation run, as the runner has it in memory or the database returns it. */
export interface FinishedReconcileRun {
  status: RunStatus;
  summary: RunSummary | null;
  finishedAt: Date | string | null;
}

/** Statuses whose finish counts as "the last successful reconciliation" (partial: some checks skipped). */
const SUCCESS_STATUSES: readonly RunStatus[] = ['succeeded', 'partial'];

/**
 * Sets the gauges that describe the latest finished reconciliation from its summary. Called by the
 * reconcile runner after every finished run and by the restore at start.
 *
 * - `sverka_reconcile_last_success_timestamp_seconds`: set when the run succeeded or was partial.
 * - A run without a summary (a failed run) leaves every result gauge as it was: the dashboards keep
 *   showing the last results that exist rather than zeros nobody measured.
 * - `sverka_reconcile_discrepancies{entity,kind}`: every entity × kind is set, 0 when the summary's
 *   `discrepanciesByEntity` does not name it, so a kind that disappeared drops to 0 instead of keeping
 *   its old count. (Summaries without `discrepanciesByEntity` leave the gauge untouched.)
 * - `sverka_reconcile_records{entity,system}`: the entities the run counted; other entities keep the
 *   counts of the run that last counted them (a run may be limited to some entities).
 * - `sverka_open_debt_rub{system}` and `sverka_duplicate_clusters{scope}`: replaced when the run
 *   computed them (`debts`, `duplicates`; dedupe is optional per run), otherwise kept.
 */
export function applyRunSummaryToMetrics(metrics: SverkaMetrics, run: FinishedReconcileRun): void {
  const finishedAt = toDate(run.finishedAt);
  if (finishedAt && SUCCESS_STATUSES.includes(run.status)) {
    metrics.reconcileLastSuccess.set(finishedAt.getTime() / 1000);
  }
  const summary = run.summary;
  if (!summary) return;

  if (summary.discrepanciesByEntity) {
    for (const entity of RECONCILE_ENTITIES) {
      const byKind = summary.discrepanciesByEntity[entity] ?? {};
      for (const kind of DISCREPANCY_KINDS)
        metrics.reconcileDiscrepancies.set({ entity, kind }, byKind[kind] ?? 0);
    }
  }

  for (const entity of RECONCILE_ENTITIES) {
    const counts = summary.counts?.[entity];
    if (!counts) continue;
    metrics.reconcileRecords.set({ entity, system: 'onec' }, counts.onec);
    metrics.reconcileRecords.set({ entity, system: 'crm' }, counts.crm);
    metrics.reconcileRecords.set({ entity, system: 'linked' }, counts.linked);
  }

  if (summary.debts) {
    metrics.openDebt.set({ system: 'onec' }, rubles(summary.debts.onecTotal));
    metrics.openDebt.set({ system: 'crm' }, rubles(summary.debts.crmTotal));
  }

  if (summary.duplicates) {
    for (const scope of DUPLICATE_SCOPES)
      metrics.duplicateClusters.set({ scope }, summary.duplicates[scope] ?? 0);
  }
}

/** Sync state that the gauges show: last success per entity and current dead letters. */
export interface SyncMetricsState {
  lastSuccess: Partial<Record<SyncEntity, Date | string | null>>;
  /** Dead letters per entity now; entities not named are 0. */
  deadLetters: Partial<Record<SyncEntity, number>>;
  /** Open field conflicts per entity now; entities not named are 0 (absent: the gauge is left as is). */
  openConflicts?: Partial<Record<SyncEntity, number>>;
  /** Review items (1C records held for a matching decision) per entity now; absent: the gauge is left as is. */
  openMatches?: Partial<Record<SyncEntity, number>>;
}

/**
 * Sets `sverka_sync_last_success_timestamp_seconds{entity}` (for the entities with a time; others are
 * kept), `sverka_sync_dead_letters{entity}` and `sverka_sync_conflicts_open{entity}` (every sync entity,
 * 0 when not named). Used by the
 * restore at start; sync may call it after a run with the same shape.
 */
export function applySyncStateToMetrics(metrics: SverkaMetrics, state: SyncMetricsState): void {
  for (const entity of SYNC_ENTITIES) {
    const at = toDate(state.lastSuccess[entity] ?? null);
    if (at) metrics.syncLastSuccess.set({ entity }, at.getTime() / 1000);
    metrics.syncDeadLetters.set({ entity }, state.deadLetters[entity] ?? 0);
    if (state.openConflicts) metrics.syncConflictsOpen.set({ entity }, state.openConflicts[entity] ?? 0);
    if (state.openMatches) metrics.matchesOpen.set({ entity }, state.openMatches[entity] ?? 0);
  }
}

/** A two-digit decimal money string as a number of rubles (the gauge is a float; kopecks stay exact up to 2^53). */
export function rubles(amount: string): number {
  return Number(toKopecks(amount)) / 100;
}

function toDate(v: Date | string | null | undefined): Date | null {
  if (v == null) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}
