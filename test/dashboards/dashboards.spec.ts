import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, renderDashboards } from '../../dashboards/dashboards.js';
import { panelsOf, queriesOf } from '../../dashboards/dashboard-queries.js';
import { exportedSeriesNames, metricNamesInExpr } from '../../dashboards/promql.js';
import { METRICS } from '../../src/metrics/metric-names.constants.js';

const DIR = join(process.cwd(), 'dashboards');
const built = DASHBOARDS.map(({ file, build }) => ({ file, d: build() }));

describe('dashboards as code', () => {
  it.each(DASHBOARDS.map((x) => x.file))(
    '%s: the committed JSON is what the sources generate (run `npm run dashboards`)',
    (file) => {
      const committed = readFileSync(join(DIR, file), 'utf8');
      expect(renderDashboards().get(file)).toBe(committed);
    },
  );

  it('has stable, distinct uids and distinct panel ids', () => {
    expect(built.map((b) => b.d.uid)).toEqual(['sverka-overview', 'sverka-sync-detail']);
    for (const { d } of built) {
      const ids = (d.panels ?? []).map((p) => (p as { id?: number }).id);
      expect(ids.every((id) => typeof id === 'number')).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('selects only metrics the service exports, in every panel query and variable', () => {
    const exported = exportedSeriesNames();
    const unknown: string[] = [];
    for (const { d } of built) {
      for (const q of queriesOf(d)) {
        const names = metricNamesInExpr(q.expr);
        if (!names.length) unknown.push(`${q.where}: selects no metric: ${q.expr}`);
        for (const n of names) if (!exported.has(n)) unknown.push(`${q.where}: ${n}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('shows every metric of METRICS somewhere', () => {
    const used = new Set(built.flatMap(({ d }) => queriesOf(d).flatMap((q) => metricNamesInExpr(q.expr))));
    const unused = Object.values(METRICS)
      .filter(
        (m) => ![m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`].some((n) => used.has(n)),
      )
      .map((m) => m.name);
    expect(unused).toEqual([]);
  });

  it('gives every panel and query the datasource variable, and every panel a unit and a query', () => {
    const problems: string[] = [];
    for (const { d } of built) {
      expect((d.templating?.list ?? []).some((v) => v.type === 'datasource' && v.name === 'datasource')).toBe(
        true,
      );
      for (const p of panelsOf(d)) {
        const where = `${d.title} / ${p.title}`;
        if (p.datasource?.uid !== '${datasource}')
          problems.push(`${where}: datasource ${JSON.stringify(p.datasource)}`);
        if (!p.fieldConfig?.defaults?.unit) problems.push(`${where}: no unit`);
        if (!p.targets?.length) problems.push(`${where}: no query`);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        if (refIds.some((r) => !r) || new Set(refIds).size !== refIds.length)
          problems.push(`${where}: refIds ${refIds.join(',')}`);
        for (const t of p.targets ?? [])
          if (t.datasource?.uid !== '${datasource}')
            problems.push(`${where} / ${t.refId}: query datasource ${JSON.stringify(t.datasource)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('metricNamesInExpr', () => {
  it.each([
    [
      'sum by (result) (rate(sverka_sync_records_total{job=~"$job", result="failed"}[$__rate_interval]))',
      ['sverka_sync_records_total'],
    ],
    [
      'time() - max by (entity) (sverka_sync_last_success_timestamp_seconds{entity=~"$entity"})',
      ['sverka_sync_last_success_timestamp_seconds'],
    ],
    [
      'histogram_quantile(0.95, sum by (le) (rate(sverka_sync_run_duration_seconds_bucket{job="x"}[5m])))',
      ['sverka_sync_run_duration_seconds_bucket'],
    ],
    ['sum without (instance) (a_total) / on (entity) group_left (kind) b', ['a_total', 'b']],
    ['abs(sum(x{system="onec"}) - sum(x{system="crm"})) > bool 0 offset 1h', ['x']],
    ['max(y{label="by (z)"}) or vector(0)', ['y']],
    ['label_values(sverka_sync_records_total{job=~"$job"}, entity)', ['sverka_sync_records_total']],
    ['label_values(entity)', []],
    ['sum(rate(${metric}[1m]))', []],
  ])('%s', (expr, names) => {
    expect(metricNamesInExpr(expr).sort()).toEqual([...names].sort());
  });

  it('flags names the service does not export (a typo, a counter read as a histogram)', () => {
    const exported = exportedSeriesNames();
    expect(exported.has('sverka_sync_run_duration_seconds_bucket')).toBe(true);
    expect(exported.has('sverka_sync_records_total_bucket')).toBe(false);
    const names = metricNamesInExpr(
      'sum(rate(sverka_sync_record_total[5m])) + sverka_sync_records_total_count',
    );
    expect(names.filter((n) => !exported.has(n)).sort()).toEqual([
      'sverka_sync_record_total',
      'sverka_sync_records_total_count',
    ]);
  });
});
