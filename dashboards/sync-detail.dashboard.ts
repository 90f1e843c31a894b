import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { METRICS } from '../src/metrics/metric-names.constants.js';
import {
  DATASOURCE,
  JOB_SELECTOR,
  SYNC_DETAIL_UID,
  datasourceVariable,
  defaultStat,
  defaultTimeseries,
  instantQuery,
  jobVariable,
  numberPanels,
  query,
  sel,
} from './common.js';
import {
  anyIsWarning,
  checkThresholds,
  feedLagThresholds,
  neutral,
  syncAgeThresholds,
} from './thresholds.js';

/** Matchers of one repeated row: the entity it shows. */
const ENTITY = 'entity=~"$entity"';

/** The entities sync writes, from the series the service exports (counterparties, contacts, deals). */
export function entityVariable(): dashboard.QueryVariableBuilder {
  const q = `label_values(${METRICS.syncRecords.name}{${JOB_SELECTOR}}, entity)`;
  return new dashboard.QueryVariableBuilder('entity')
    .label('Entity')
    .datasource(DATASOURCE)
    .query(q)
    .definition(q)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true);
}

/** "Sverka — sync detail": one row per selected entity (the row repeats over `entity`). */
export function syncDetailDashboard(): dashboard.Dashboard {
  const d = new dashboard.DashboardBuilder('Sverka — sync detail')
    .uid(SYNC_DETAIL_UID)
    .description('One-way sync 1C → CRM per entity: freshness, throughput, results, failures, run duration.')
    .tags(['sverka', 'generated'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable())
    .withVariable(jobVariable())
    .withVariable(entityVariable())
    .link(
      new dashboard.DashboardLinkBuilder('Overview')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['sverka'])
        .asDropdown(false)
        .includeVars(true)
        .keepTime(true),
    )
    // The 1C change feed (when ONEC_FEED_URL is set): one for all entities, so above the repeated rows.
    .withRow(new dashboard.RowBuilder('1C change feed'))
    .withPanel(feedLagStat().span(6).height(6))
    .withPanel(feedPendingTimeseries().span(18).height(6))
    // A repeated row repeats the panels below it (up to the next row), once per selected entity.
    .withRow(new dashboard.RowBuilder('$entity').repeat('entity'))
    .withPanel(entitySyncAgeStat().span(4).height(5))
    .withPanel(entityDeadLettersStat().span(4).height(5))
    .withPanel(entityConflictsStat().span(4).height(5))
    .withPanel(entityMatchesStat().span(4).height(5))
    .withPanel(entityResultsStat().span(8).height(5))
    .withPanel(entityRecordsRateTimeseries().span(12).height(8))
    .withPanel(entityFailuresTimeseries().span(12).height(8))
    .withPanel(entityRunDurationTimeseries().span(12).height(8))
    .withPanel(entityDiscrepanciesTimeseries().span(12).height(8))
    .build();
  return numberPanels(d);
}

export function feedLagStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Change feed lag')
    .description(
      'Seconds since the 1C change feed was last seen caught up. No data: the feed is off (ONEC_FEED_URL unset).',
    )
    .unit('s')
    .decimals(0)
    .thresholds(feedLagThresholds())
    .withTarget(instantQuery(`max(${sel('feedLag')})`, 'lag'));
}

export function feedPendingTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Changes waiting in 1C')
    .description('Registered in the SverkaFeed exchange plan and not yet acknowledged, as 1C last reported.')
    .unit('short')
    .thresholds(neutral())
    .withTarget(query(`max(${sel('feedPending')})`, 'pending'));
}

export function entitySyncAgeStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Since the last successful sync')
    .unit('s')
    .decimals(0)
    .thresholds(syncAgeThresholds())
    .withTarget(instantQuery(`time() - max by (entity) (${sel('syncLastSuccess', ENTITY)})`, '{{entity}}'));
}

export function entityDeadLettersStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Dead letters')
    .unit('short')
    .decimals(0)
    .thresholds(checkThresholds('sync_failures'))
    .withTarget(instantQuery(`max by (entity) (${sel('syncDeadLetters', ENTITY)})`, '{{entity}}'));
}

export function entityConflictsStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Open field conflicts')
    .description('Conflicts of the manual strategy waiting for a person: GET /api/v1/conflicts?status=open.')
    .unit('short')
    .decimals(0)
    .thresholds(checkThresholds('conflicts'))
    .withTarget(instantQuery(`max by (entity) (${sel('syncConflictsOpen', ENTITY)})`, '{{entity}}'));
}

export function entityMatchesStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Waiting for a matching decision')
    .description(
      '1C records held because several CRM records (or several 1C records) have the same INN or person: not synced until an operator decides, GET /api/v1/matches?status=open.',
    )
    .unit('short')
    .decimals(0)
    .thresholds(checkThresholds('conflicts'))
    .withTarget(instantQuery(`max by (entity) (${sel('matchesOpen', ENTITY)})`, '{{entity}}'));
}

export function entityResultsStat(): stat.PanelBuilder {
  return defaultStat()
    .title('Records in the time range, by result')
    .unit('short')
    .decimals(0)
    .thresholds(neutral())
    .withTarget(
      instantQuery(`sum by (result) (increase(${sel('syncRecords', ENTITY)}[$__range]))`, '{{result}}'),
    );
}

export function entityRecordsRateTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Records per second, by result')
    .unit('suffix: rec/s')
    .thresholds(neutral())
    .withTarget(
      query(`sum by (result) (rate(${sel('syncRecords', ENTITY)}[$__rate_interval]))`, '{{result}}'),
    );
}

export function entityFailuresTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Failed records and dead letters')
    .unit('short')
    .thresholds(anyIsWarning())
    .withTarget(
      query(
        `sum(increase(${sel('syncRecords', `${ENTITY}, result="failed"`)}[$__rate_interval]))`,
        'failed',
        'failed',
      ),
    )
    .withTarget(query(`max(${sel('syncDeadLetters', ENTITY)})`, 'dead letters', 'dead'));
}

export function entityRunDurationTimeseries(): timeseries.PanelBuilder {
  const bucketRate = `sum by (le) (rate(${sel('syncRunDuration', ENTITY, '_bucket')}[$__rate_interval]))`;
  const avg =
    `sum(rate(${sel('syncRunDuration', ENTITY, '_sum')}[$__rate_interval])) / ` +
    `sum(rate(${sel('syncRunDuration', ENTITY, '_count')}[$__rate_interval]))`;
  return defaultTimeseries()
    .title('Sync step duration')
    .description("Duration of this entity's step of a sync run: p95 from the histogram, and the mean.")
    .unit('s')
    .thresholds(neutral())
    .withTarget(query(`histogram_quantile(0.95, ${bucketRate})`, 'p95', 'p95'))
    .withTarget(query(avg, 'mean', 'mean'));
}

export function entityDiscrepanciesTimeseries(): timeseries.PanelBuilder {
  return defaultTimeseries()
    .title('Discrepancies of the latest reconciliation, by kind')
    .unit('short')
    .decimals(0)
    .thresholds(neutral())
    .withTarget(query(`max by (kind) (${sel('reconcileDiscrepancies', ENTITY)})`, '{{kind}}'));
}
