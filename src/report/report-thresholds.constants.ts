import type { DiscrepancyKind } from '../common/vocabulary.js';

/**
 * Severity thresholds of the report's headline table, one entry per check. Exported so that the
 * metrics alerts and Grafana dashboards colour the same numbers the same way.
 *
 * A check is `critical` when its count reaches `criticalAt`, `warning` when it reaches `warningAt`,
 * else `ok`. With `escalateOnCriticalItems`, a check holding at least one item whose own severity is
 * `critical` (e.g. an INN mismatch, a sync dead letter) is `critical` whatever its count.
 */
export interface CheckThreshold {
  warningAt: number;
  criticalAt: number;
}

export const REPORT_CHECKS = [
  'counts',
  'statuses',
  'debts',
  'fields',
  'duplicates',
  'validation',
  'sync_failures',
  'conflicts',
] as const;
export type ReportCheck = (typeof REPORT_CHECKS)[number];

/**
 * Which discrepancy kinds each check counts (`duplicates` counts clusters and `conflicts` the open field
 * conflicts of sync's manual strategy, not discrepancy items).
 */
export const CHECK_KINDS: Record<ReportCheck, readonly DiscrepancyKind[]> = {
  counts: ['count_mismatch', 'missing_in_crm', 'orphan_in_crm'],
  statuses: ['status_mismatch'],
  debts: ['debt_mismatch'],
  fields: ['field_mismatch'],
  duplicates: [],
  validation: ['invalid_value'],
  sync_failures: ['sync_failure'],
  conflicts: [],
};

export interface ReportThresholds {
  checks: Record<ReportCheck, CheckThreshold>;
  /** A check with a `critical` item is critical regardless of its count. */
  escalateOnCriticalItems: boolean;
  /** |1C open debt − CRM open invoices| (RUB, two-digit string) at which the debts check is critical. */
  debtCriticalDifferenceRub: string;
  /** Items shown per discrepancy kind in the mail (the CSV always has them all). */
  topPerKind: number;
  /** Duplicate clusters shown in the mail. */
  topClusters: number;
}

export const DEFAULT_REPORT_THRESHOLDS: ReportThresholds = {
  checks: {
    // Missing/orphan records and count disagreements: a handful is a record stuck in sync; dozens
    // mean a page or a whole entity did not go through.
    counts: { warningAt: 1, criticalAt: 25 },
    // Deal stages that contradict the order status: managers work the wrong deals.
    statuses: { warningAt: 1, criticalAt: 25 },
    // Counterparties whose debt differs beyond the tolerance: money questions, low bar.
    debts: { warningAt: 1, criticalAt: 10 },
    // Owned fields that differ after sync (INN/KPP/OGRN items are critical items themselves).
    fields: { warningAt: 1, criticalAt: 50 },
    // Duplicate clusters: cleaning is slow work; many of them is the normal state of a CRM.
    duplicates: { warningAt: 1, criticalAt: 100 },
    // Bad data in 1C (checksums, empty required fields): fix at the source, never urgent alone.
    validation: { warningAt: 1, criticalAt: 200 },
    // Records sync gave up on: someone must act on every one.
    sync_failures: { warningAt: 1, criticalAt: 10 },
    // Field conflicts (manual strategy) waiting for a person: the CRM keeps the manager's value meanwhile,
    // so they are not urgent one by one; a pile means nobody is deciding.
    conflicts: { warningAt: 1, criticalAt: 50 },
  },
  escalateOnCriticalItems: true,
  // Above this the books disagree by a sum the finance team notices.
  debtCriticalDifferenceRub: '100000.00',
  topPerKind: 5,
  topClusters: 5,
};
