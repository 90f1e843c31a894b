import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { METRICS, type MetricKey } from '../src/metrics/metric-names.constants.js';

/** Stable dashboard uids: links, bookmarks and provisioning rely on them. */
export const OVERVIEW_UID = 'sverka-overview';
export const SYNC_DETAIL_UID = 'sverka-sync-detail';

/** The data source of every panel and query: the dashboard's `datasource` variable (a Prometheus). */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/**
 * Selector config (as in node_exporter's mixin): every series is filtered by the scrape job(s) chosen in
 * the `job` variable, so one Grafana serves several Sverka deployments. Never a label of our own metrics.
 */
export const JOB_SELECTOR = 'job=~"$job"';

/** The variables of every Sverka dashboard: the Prometheus data source, then the scrape job. */
export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

export function jobVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('job')
    .label('Job')
    .datasource(DATASOURCE)
    .query(`label_values(${METRICS.reconcileRuns.name}, job)`)
    .definition(`label_values(${METRICS.reconcileRuns.name}, job)`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
}

/**
 * A metric selector: the name from METRICS (with `_bucket`/`_sum`/`_count` for a histogram's series),
 * the job selector and extra matchers, e.g. `sel('syncRecords', 'result="failed"')`.
 */
export function sel(key: MetricKey, matchers = '', suffix: '' | '_bucket' | '_sum' | '_count' = ''): string {
  const all = [JOB_SELECTOR, matchers].filter(Boolean).join(', ');
  return `${METRICS[key].name}${suffix}{${all}}`;
}

/** A PromQL query on the dashboard's data source. */
export function query(expr: string, legendFormat = '__auto', refId?: string): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legendFormat);
  return refId ? q.refId(refId) : q;
}

/** An instant query (latest value only): stats and tables of the latest run. */
export function instantQuery(
  expr: string,
  legendFormat = '__auto',
  refId?: string,
): prometheus.DataqueryBuilder {
  return query(expr, legendFormat, refId).instant();
}

/** Panel defaults: time series. */
export function defaultTimeseries(): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .datasource(DATASOURCE)
    .lineWidth(1)
    .fillOpacity(15)
    .showPoints(common.VisibilityMode.Never)
    .drawStyle(common.GraphDrawStyle.Line)
    .gradientMode(common.GraphGradientMode.Opacity)
    .lineInterpolation(common.LineInterpolation.StepAfter)
    .spanNulls(false)
    .min(0)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .placement(common.LegendPlacement.Bottom)
        .displayMode(common.LegendDisplayMode.List),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
}

/** Panel defaults: stat of the last value, coloured by its thresholds. */
export function defaultStat(): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .datasource(DATASOURCE)
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Background)
    .textMode(common.BigValueTextMode.ValueAndName)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** Panel defaults: table of instant queries. */
export function defaultTable(): table.PanelBuilder {
  return new table.PanelBuilder()
    .datasource(DATASOURCE)
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm);
}

/** Green below the first step, then the given colours from each value on. */
export function thresholdSteps(steps: { value: number; color: string }[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: 'green' }, ...steps]);
}

/** Overrides of the thresholds for one query of a multi-query panel. */
export function thresholdsProperty(t: dashboard.ThresholdsConfigBuilder): dashboard.DynamicConfigValue {
  return { id: 'thresholds', value: t.build() };
}

/**
 * Grafana fills in missing panel ids and query refIds when it loads a dashboard, but links
 * (`viewPanel=`) and overrides by query need stable ones: number the panels in their order (rows and
 * the panels inside them included) and name unnamed queries A, B, C… as Grafana would.
 */
export function numberPanels(d: dashboard.Dashboard): dashboard.Dashboard {
  type P = { id?: number; panels?: P[]; targets?: { refId?: string }[] };
  let id = 1;
  const visit = (p: P) => {
    p.id = id++;
    (p.targets ?? []).forEach((t, i) => (t.refId ??= String.fromCharCode(65 + i)));
    (p.panels ?? []).forEach(visit);
  };
  ((d.panels ?? []) as P[]).forEach(visit);
  return d;
}
