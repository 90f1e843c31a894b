import { toKopecks } from '../src/common/money.js';
import {
  CHECK_KINDS,
  DEFAULT_REPORT_THRESHOLDS,
  type ReportCheck,
} from '../src/report/report-thresholds.constants.js';
import type { ThresholdsConfigBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { thresholdSteps } from './common.js';

/**
 * Thresholds and colours of the dashboards, in one place. Counts of the latest reconciliation use
 * the report's own severities (src/report/report-thresholds.constants.ts), so a number is orange on
 * Grafana exactly when the e-mail calls it a warning and red when it calls it critical.
 */

const WARNING = 'orange';
const CRITICAL = 'red';

/** A report check's thresholds: warning from `warningAt`, critical from `criticalAt`. */
export function checkThresholds(check: ReportCheck): ThresholdsConfigBuilder {
  const t = DEFAULT_REPORT_THRESHOLDS.checks[check];
  return thresholdSteps([
    { value: t.warningAt, color: WARNING },
    { value: t.criticalAt, color: CRITICAL },
  ]);
}

/** The discrepancy kinds a report check counts (duplicates count clusters instead). */
export function checkKinds(check: ReportCheck): readonly string[] {
  return CHECK_KINDS[check];
}

/** |1C open debt − CRM open invoices|: critical at the report's `debtCriticalDifferenceRub`, warning from 1 kopeck. */
export function debtDifferenceThresholds(): ThresholdsConfigBuilder {
  return thresholdSteps([
    { value: 0.01, color: WARNING },
    { value: Number(toKopecks(DEFAULT_REPORT_THRESHOLDS.debtCriticalDifferenceRub)) / 100, color: CRITICAL },
  ]);
}

/**
 * Age of the last successful sync of an entity, in seconds. Sync runs every 15 minutes by default
 * (SYNC_CRON): one missed run is a warning (> 2 periods), an hour without a success is critical.
 */
export const SYNC_AGE_WARNING_S = 2 * 15 * 60;
export const SYNC_AGE_CRITICAL_S = 60 * 60;

/**
 * Age of the last successful reconciliation, in seconds. It runs daily at 06:00 (RECONCILE_CRON):
 * a missed morning run is a warning (> 26 h), two missed runs are critical (> 50 h).
 */
export const RECONCILE_AGE_WARNING_S = 26 * 3600;
export const RECONCILE_AGE_CRITICAL_S = 50 * 3600;

export function syncAgeThresholds(): ThresholdsConfigBuilder {
  return thresholdSteps([
    { value: SYNC_AGE_WARNING_S, color: WARNING },
    { value: SYNC_AGE_CRITICAL_S, color: CRITICAL },
  ]);
}

export function reconcileAgeThresholds(): ThresholdsConfigBuilder {
  return thresholdSteps([
    { value: RECONCILE_AGE_WARNING_S, color: WARNING },
    { value: RECONCILE_AGE_CRITICAL_S, color: CRITICAL },
  ]);
}

/**
 * Conflict to-dos in the CRM past their deadline (`sverka_conflicts_overdue`): one is a manager behind on
 * a decision (warning); ten mean the to-dos are not being worked at all (critical).
 */
export const OVERDUE_TODOS_CRITICAL = 10;

export function overdueTodosThresholds(): ThresholdsConfigBuilder {
  return thresholdSteps([
    { value: 1, color: WARNING },
    { value: OVERDUE_TODOS_CRITICAL, color: CRITICAL },
  ]);
}

/** Any failure, rate-limited request or failed e-mail is worth a look: warning from the first one. */
export function anyIsWarning(): ThresholdsConfigBuilder {
  return thresholdSteps([{ value: 1, color: WARNING }]);
}

/** Plain numbers (counts, rates) that carry no judgement: one neutral colour. */
export function neutral(): ThresholdsConfigBuilder {
  return thresholdSteps([]).steps([{ value: null, color: 'blue' }]);
}

/**
 * Lag of the 1C change feed, in seconds: a doorbell normally brings a change in within 10 s and the poll
 * within ONEC_FEED_POLL_SECONDS (60); two minutes means neither works, ten that the feed is stuck.
 */
export const FEED_LAG_WARNING_S = 120;
export const FEED_LAG_CRITICAL_S = 600;

export function feedLagThresholds(): ThresholdsConfigBuilder {
  return thresholdSteps([
    { value: FEED_LAG_WARNING_S, color: WARNING },
    { value: FEED_LAG_CRITICAL_S, color: CRITICAL },
  ]);
}
