import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { REPORT_CHECKS, type ReportCheck } from '../src/report/report-thresholds.constants.js';
import {
  OVERVIEW_UID,
  datasourceVariable,
  defaultStat,
  defaultTable,
  defaultTimeseries,
  instantQuery,
  jobVariable,
  numberPanels,
  query,
  sel,
  thresholdsProperty,
} from './common.js';
import {
  anyIsWarning,
  checkKinds,
  checkThresholds,
  debtDifferenceThresholds,
  neutral,
  overdueTodosThresholds,
  reconcileAgeThresholds,
  syncAgeThresholds,
} from './thresholds.js';

/**
 * "Sverka — overview": is data flowing (age of the last sync and reconciliation), what did the latest
 * reconciliation find, how is sync doing, and how are 1C, the CRM and the mailer answering.
 */
export function overviewDashboard(): dashboard.Dashboard {
  const d = new dashboard.DashboardBuilder('Sverka — overview')
    .uid(OVERVIEW_UID)
    .description(
      '1C → Bitrix24 sync and the daily reconciliation: freshness, findings, sync flow, outside systems.',
    )
    .tags(['sverka', 'generated'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh('1m')
    .time({ from: 'now-24h', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable())
    .withVariable(jobVariable())
    .link(
      new dashboard.DashboardLinkBuilder('Sync detail')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['sverka'])
        .asDropdown(false)
        .includeVars(true)
        .keepTime(true),
    )
    .withRow(new dashboard.RowBuilder('Freshness and the latest reconciliation'))
    .withPanel(syncAgeStat().span(8).height(5))
    .withPanel(reconcileAgeStat().span(4).height(5))
    .withPanel(reportChecksStat().span(12).height(5))
    .withRow(new dashboard.RowBuilder('Reconciliation'))
    .withPanel(discrepanciesByKindTimeseries().span(12).height(8))
    .withPanel(discrepanciesByEntityTimeseries().span(12).height(8))
    .withPanel(recordCountsTable().span(12).height(7))
    .withPanel(openDebtStat().span(6).height(7))
    .withPanel(duplicateClustersStat().span(6).height(7))
    .withRow(new dashboard.RowBuilder('Sync'))
    .withPanel(syncRecordsRateTimeseries().span(12).height(8))
    .withPanel(syncFailuresTimeseries().span(6).height(8))
    .withPanel(deadLettersStat().span(6).height(8))
    .withPanel(overdueTodosStat().span(12).height(5))
    .withRow(new dashboard.RowBuilder('1C, CRM and mail'))
    .withPanel(crmRequestsTimeseries().span(8).height(8))
    .withPanel(crmRateLimitedTimeseries().span(8).height(8))
    .withPanel(onecRequestsTimeseries().span(8).height(8))
    .withPanel(reconcileRunsStat().span(12).height(5))
    .withPanel(reportEmailsStat().span(12).height(5))
    .build();
  return numberPanels(d);
}

export function syncAgeStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Since the last successful sync')
    .description(
      'Per entity: time since a sync run last finished it (succeeded or partial). Sync runs every 15 min by default.',
    )
    .unit('s')
    .decimals(0)
    .thresholds(syncAgeThresholds())
    .withTarget(instantQuery(`time() - max by (entity) (${sel('syncLastSuccess')})`, '{{entity}}'));
}

export function overdueTodosStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Overdue conflict to-dos')
    .description(
      "Per entity: to-dos Sverka put in the CRM for a record's open field conflicts (manual strategy) that are past their deadline and not completed. Who is late: the daily report.",
    )
    .unit('short')
    .decimals(0)
    .thresholds(overdueTodosThresholds())
    .withTarget(instantQuery(`max by (entity) (${sel('conflictsOverdue')})`, '{{entity}}'));
}

export function reconcileAgeStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Since the last reconciliation')
    .description(
      'Time since the last reconciliation finished succeeded or partial. It runs daily at 06:00 by default.',
    )
    .unit('s')
    .decimals(0)
    .thresholds(reconcileAgeThresholds())
    .withTarget(instantQuery(`time() - max(${sel('reconcileLastSuccess')})`, 'reconciliation'));
}

/** One query per check of the report's headline table, each coloured by that check's severities. */
export function reportChecksStat(): stat.PanelBuilder {
  let p = defaultStat()
    .title('Checks of the latest reconciliation')
    .description(
      "The report's headline table: orange = warning, red = critical, with the report's own thresholds.",
    )
    .unit('short')
    .decimals(0)
    .thresholds(anyIsWarning());
  for (const check of REPORT_CHECKS) {
    p = p
      .withTarget(instantQuery(checkExpr(check), check, check))
      .overrideByQuery(check, [thresholdsProperty(checkThresholds(check))]);
  }
  return p;
}

/** What a report check counts, as PromQL over the latest run's gauges. */
export function checkExpr(check: ReportCheck): string {
  if (check === 'duplicates') return `sum(max by (scope) (${sel('duplicateClusters')}))`;
  if (check === 'conflicts') return `sum(max by (entity) (${sel('syncConflictsOpen')}))`;
  const kinds = checkKinds(check).join('|');
  return `sum(max by (entity, kind) (${sel('reconcileDiscrepancies', `kind=~"${kinds}"`)}))`;
}

export function discrepanciesByKindTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Discrepancies by kind')
    .description('Discrepancy items of the latest finished reconciliation, by kind; a step per run.')
    .unit('short')
    .decimals(0)
    .thresholds(neutral())
    .withTarget(
      query(`sum by (kind) (max by (entity, kind) (${sel('reconcileDiscrepancies')}))`, '{{kind}}'),
    );
}

export function discrepanciesByEntityTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Discrepancies by entity')
    .description('Discrepancy items of the latest finished reconciliation, by entity; a step per run.')
    .unit('short')
    .decimals(0)
    .thresholds(neutral())
    .withTarget(
      query(`sum by (entity) (max by (entity, kind) (${sel('reconcileDiscrepancies')}))`, '{{entity}}'),
    );
}

/** Per entity: live 1C records, CRM records and linked pairs, side by side. */
export function recordCountsTable(): table.PanelBuilder {
  const col = (system: string) =>
    instantQuery(`max by (entity) (${sel('reconcileRecords', `system="${system}"`)})`, system, system).format(
      prometheus.PromQueryFormat.Table,
    );
  return defaultTable()
    .title('Records: 1C vs CRM vs linked')
    .description(
      'Counts of the latest finished reconciliation. Linked = pairs in the link store that both sides still have.',
    )
    .unit('short')
    .decimals(0)
    .thresholds(neutral())
    .withTarget(col('onec'))
    .withTarget(col('crm'))
    .withTarget(col('linked'))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        renameByName: {
          entity: 'Entity',
          'Value #onec': '1C',
          'Value #crm': 'CRM',
          'Value #linked': 'Linked',
        },
      },
    });
}

export function openDebtStat(): stat.PanelBuilder {
  const debt = (system: string) => `sum(max by (system) (${sel('openDebt', `system="${system}"`)}))`;
  return defaultStat()
    .title('Open debt')
    .description(
      "1C receivables vs CRM open invoices (latest reconciliation), and their difference, coloured by the report's critical sum.",
    )
    .unit('currencyRUB')
    .decimals(2)
    .thresholds(neutral())
    .withTarget(instantQuery(debt('onec'), '1C', 'onec'))
    .withTarget(instantQuery(debt('crm'), 'CRM', 'crm'))
    .withTarget(instantQuery(`abs(${debt('onec')} - ${debt('crm')})`, 'difference', 'difference'))
    .overrideByQuery('difference', [thresholdsProperty(debtDifferenceThresholds())]);
}

export function duplicateClustersStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Duplicate clusters by scope')
    .description(
      'onec: two 1C records; crm: two CRM records; cross: an unlinked CRM record that is a 1C party.',
    )
    .unit('short')
    .decimals(0)
    .thresholds(checkThresholds('duplicates'))
    .withTarget(instantQuery(`max by (scope) (${sel('duplicateClusters')})`, '{{scope}}'));
}

export function syncRecordsRateTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Sync records per second')
    .description('Records sync processed, by result (created, updated, unchanged, skipped, failed).')
    .unit('suffix: rec/s')
    .thresholds(neutral())
    .withTarget(query(`sum by (result) (rate(${sel('syncRecords')}[$__rate_interval]))`, '{{result}}'));
}

export function syncFailuresTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Sync failures')
    .description(
      'Records that failed in sync, per entity and interval (they are retried; after the last retry they become dead letters).',
    )
    .unit('short')
    .thresholds(anyIsWarning())
    .withTarget(
      query(
        `sum by (entity) (increase(${sel('syncRecords', 'result="failed"')}[$__rate_interval]))`,
        '{{entity}}',
      ),
    );
}

export function deadLettersStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Dead letters')
    .description(
      "Records sync has given up on, per entity: someone must act on each (the report's sync_failures check).",
    )
    .unit('short')
    .decimals(0)
    .thresholds(checkThresholds('sync_failures'))
    .withTarget(instantQuery(`max by (entity) (${sel('syncDeadLetters')})`, '{{entity}}'));
}

export function crmRequestsTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('CRM requests by outcome')
    .description(
      'HTTP requests to Bitrix24 per second: ok, rate_limited (429 / QUERY_LIMIT_EXCEEDED), error.',
    )
    .unit('reqps')
    .thresholds(neutral())
    .withTarget(query(`sum by (outcome) (rate(${sel('crmRequests')}[$__rate_interval]))`, '{{outcome}}'));
}

export function crmRateLimitedTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Rate-limited CRM requests')
    .description(
      'Requests the portal refused for its rate limit, by REST method. Sustained refusals: lower BITRIX24_RPS.',
    )
    .unit('reqps')
    .thresholds(neutral())
    .withTarget(
      query(
        `sum by (method) (rate(${sel('crmRequests', 'outcome="rate_limited"')}[$__rate_interval]))`,
        '{{method}}',
      ),
    );
}

export function onecRequestsTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('1C requests by outcome')
    .description('HTTP requests to the 1C OData publication per second, by outcome.')
    .unit('reqps')
    .thresholds(neutral())
    .withTarget(query(`sum by (outcome) (rate(${sel('onecRequests')}[$__rate_interval]))`, '{{outcome}}'));
}

export function reconcileRunsStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Reconciliation runs in the time range')
    .description('Finished reconciliation runs by status (succeeded, partial, failed).')
    .unit('short')
    .decimals(0)
    .thresholds(neutral())
    .withTarget(instantQuery(`sum by (status) (increase(${sel('reconcileRuns')}[$__range]))`, '{{status}}'));
}

export function reportEmailsStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Report e-mails in the time range')
    .description('Report e-mails sent and failed (a failed one is retried; see the report delivery log).')
    .unit('short')
    .decimals(0)
    .thresholds(neutral())
    .withTarget(instantQuery(`sum by (outcome) (increase(${sel('reportEmails')}[$__range]))`, '{{outcome}}'));
}
