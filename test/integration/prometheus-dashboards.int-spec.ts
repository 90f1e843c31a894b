import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARDS } from '../../dashboards/dashboards.js';
import { defaultStat, instantQuery, numberPanels, sel } from '../../dashboards/common.js';
import { applyRunSummaryToMetrics, applySyncStateToMetrics } from '../../src/metrics/apply-run-summary.js';
import { MetricsModule } from '../../src/metrics/metrics.module.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import {
  PROMETHEUS_BIN,
  prometheusInstalled,
  queriesWithoutData,
  type QueryOutcome,
} from './prometheus-support.js';

if (!prometheusInstalled) {
  console.warn(
    `Prometheus is not installed (${PROMETHEUS_BIN}): the dashboard queries are not checked against a real Prometheus. ` +
      'Install it with .ci/install-prometheus.sh (apt-get install prometheus).',
  );
}

/**
 * What a service shows after a sync and a reconciliation, set through the SverkaMetrics API.
 * (The lead may replace this by a real service: call `queriesWithoutData(baseUrl, dashboards)` on it.)
 */
function populateAfterSyncAndReconciliation(metrics: SverkaMetrics, now: Date): void {
  for (const entity of ['counterparties', 'contacts', 'deals'] as const) {
    for (const result of ['created', 'updated', 'unchanged', 'skipped', 'failed'] as const)
      metrics.syncRecords.inc({ entity, result }, 5);
    metrics.syncRunDuration.observe({ entity }, 42);
  }
  applySyncStateToMetrics(metrics, {
    lastSuccess: { counterparties: now, contacts: now, deals: now },
    deadLetters: { counterparties: 2 },
    openConflicts: { contacts: 1 },
    openMatches: { counterparties: 3 },
  });
  metrics.conflictsOverdue.set({ entity: 'counterparties' }, 1);
  metrics.crmRequests.inc({ method: 'crm.company.list', outcome: 'ok' }, 40);
  metrics.crmRequests.inc({ method: 'crm.company.add', outcome: 'rate_limited' }, 3);
  metrics.crmRequests.inc({ method: 'batch', outcome: 'error' }, 1);
  metrics.onecRequests.inc({ outcome: 'ok' }, 30);
  metrics.onecRequests.inc({ outcome: 'error' }, 1);
  metrics.reconcileRuns.inc({ status: 'succeeded' });
  metrics.reportEmails.inc({ outcome: 'sent' });
  applyRunSummaryToMetrics(metrics, {
    status: 'succeeded',
    finishedAt: now,
    summary: {
      counts: {
        counterparties: { onec: 1200, crm: 1195, linked: 1190 },
        contacts: { onec: 800, crm: 790, linked: 785 },
        deals: { onec: 300, crm: 300, linked: 299 },
      },
      discrepancies: { missing_in_crm: 5, field_mismatch: 12, debt_mismatch: 7, sync_failure: 2 },
      discrepanciesByEntity: {
        counterparties: { missing_in_crm: 5, field_mismatch: 12, sync_failure: 2 },
        debts: { debt_mismatch: 7 },
      },
      debts: { onecTotal: '1520000.00', crmTotal: '1498000.00', mismatched: 7 },
      duplicates: { onec: 3, crm: 5, cross: 9 },
    },
  });
}

(prometheusInstalled ? describe : describe.skip)('the dashboards against a real Prometheus', () => {
  let app: INestApplication;
  let url: string;
  let metrics: SverkaMetrics;

  beforeAll(async () => {
    // The metrics module alone, with its real controller: GET /metrics of the service.
    app = await NestFactory.create(MetricsModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    const addr = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    metrics = app.get(SverkaMetrics);
    populateAfterSyncAndReconciliation(metrics, new Date());
  });
  afterAll(async () => {
    await app?.close();
  });

  it('every panel query and variable of every dashboard returns data', async () => {
    const { empty, answered } = await queriesWithoutData(
      url,
      DASHBOARDS.map((x) => x.build()),
      // Traffic while Prometheus scrapes, so rates and the duration quantile are not flat zeros.
      {
        during: () => {
          metrics.syncRecords.inc({ entity: 'counterparties', result: 'updated' });
          metrics.syncRunDuration.observe({ entity: 'counterparties' }, 30);
          metrics.crmRequests.inc({ method: 'crm.company.add', outcome: 'rate_limited' });
        },
      },
    );
    expect(empty.map((q) => `${q.where}: ${q.expr}`)).toEqual([]);
    expect(answered.length).toBeGreaterThan(25);

    const value = (where: string) => answered.find((q: QueryOutcome) => q.where === where)?.values;
    expect(value('Sverka — overview / Open debt / difference')).toEqual([' → 22000']);
    expect(value('Sverka — overview / Checks of the latest reconciliation / fields')).toEqual([' → 12']);
    expect(value('Sverka — overview / Checks of the latest reconciliation / counts')).toEqual([' → 5']);
    expect(value('Sverka — overview / Checks of the latest reconciliation / duplicates')).toEqual([' → 17']);
    expect(value('Sverka — sync detail / $entity')?.sort()).toEqual(['contacts', 'counterparties', 'deals']);
    const p95 = value('Sverka — sync detail / Sync step duration / p95')?.[0] ?? '';
    expect(Number(p95.split('→ ')[1])).toBeGreaterThan(0);
  });

  it('reports a query that answers nothing (the check is real)', async () => {
    const broken = numberPanels(
      new DashboardBuilder('broken')
        .withPanel(
          defaultStat()
            .title('no such label value')
            .unit('short')
            .withTarget(instantQuery(sel('syncDeadLetters', 'entity="nope"'))),
        )
        .withPanel(
          defaultStat()
            .title('present')
            .unit('short')
            .withTarget(instantQuery(sel('syncDeadLetters'))),
        )
        .build(),
    );
    const { empty, answered } = await queriesWithoutData(url, [broken], { settleMs: 1000 });
    expect(empty.map((q) => q.where)).toEqual(['broken / no such label value / A']);
    expect(answered.map((q) => q.where)).toEqual(['broken / present / A']);
  });
});
