/**
 * Every metric Sverka exports (README.md#prometheus-and-grafana): names, types and label names in one place,
 * imported by the exporter (src/metrics/sverka-metrics.ts) and by dashboards/, so they cannot drift.
 */
export const METRICS = {
  syncRecords: {
    name: 'sverka_sync_records_total',
    type: 'counter',
    help: 'Records processed by sync, by entity and result.',
    labels: ['entity', 'result'],
  },
  syncRunDuration: {
    name: 'sverka_sync_run_duration_seconds',
    type: 'histogram',
    help: 'Duration of one entity step of a sync run.',
    labels: ['entity'],
  },
  syncLastSuccess: {
    name: 'sverka_sync_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last successful sync of an entity.',
    labels: ['entity'],
  },
  syncDeadLetters: {
    name: 'sverka_sync_dead_letters',
    type: 'gauge',
    help: 'Records sync has given up on (dead letters), by entity.',
    labels: ['entity'],
  },
  syncConflictsOpen: {
    name: 'sverka_sync_conflicts_open',
    type: 'gauge',
    help: 'Field conflicts of the manual strategy waiting for a person, by entity.',
    labels: ['entity'],
  },
  matchesOpen: {
    name: 'sverka_matches_open',
    type: 'gauge',
    help: '1C records held for a matching decision (review items of go-live), by entity.',
    labels: ['entity'],
  },
  conflictsOverdue: {
    name: 'sverka_conflicts_overdue',
    type: 'gauge',
    help: 'Conflict to-dos in the CRM past their deadline and not completed, by entity.',
    labels: ['entity'],
  },
  crmRequests: {
    name: 'sverka_crm_requests_total',
    type: 'counter',
    help: 'HTTP requests to the CRM, by method and outcome (ok, rate_limited, error).',
    labels: ['method', 'outcome'],
  },
  onecRequests: {
    name: 'sverka_onec_requests_total',
    type: 'counter',
    help: 'HTTP requests to 1C (OData and the change feed), by outcome (ok, error).',
    labels: ['outcome'],
  },
  feedLag: {
    name: 'sverka_feed_lag_seconds',
    type: 'gauge',
    help: 'Seconds since the 1C change feed was last seen caught up (no change waiting); 0 while it is.',
    labels: [],
  },
  feedPending: {
    name: 'sverka_feed_pending',
    type: 'gauge',
    help: 'Changes registered in 1C and not yet acknowledged by Sverka, as 1C last reported them.',
    labels: [],
  },
  reconcileRuns: {
    name: 'sverka_reconcile_runs_total',
    type: 'counter',
    help: 'Finished reconciliation runs, by status.',
    labels: ['status'],
  },
  reconcileLastSuccess: {
    name: 'sverka_reconcile_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time the last successful (or partial) reconciliation finished.',
    labels: [],
  },
  reconcileDiscrepancies: {
    name: 'sverka_reconcile_discrepancies',
    type: 'gauge',
    help: 'Discrepancies of the latest finished reconciliation, by entity and kind.',
    labels: ['entity', 'kind'],
  },
  reconcileRecords: {
    name: 'sverka_reconcile_records',
    type: 'gauge',
    help: 'Records counted by the latest finished reconciliation, by entity and system (onec, crm, linked).',
    labels: ['entity', 'system'],
  },
  openDebt: {
    name: 'sverka_open_debt_rub',
    type: 'gauge',
    help: 'Open debt total in RUB of the latest finished reconciliation, by system.',
    labels: ['system'],
  },
  duplicateClusters: {
    name: 'sverka_duplicate_clusters',
    type: 'gauge',
    help: 'Duplicate clusters of the latest finished reconciliation, by scope.',
    labels: ['scope'],
  },
  reportEmails: {
    name: 'sverka_report_emails_total',
    type: 'counter',
    help: 'Report e-mails, by outcome (sent, failed).',
    labels: ['outcome'],
  },
} as const;

export type MetricKey = keyof typeof METRICS;
