import type { DataSource } from 'typeorm';
import { applyRunSummaryToMetrics } from '../metrics/apply-run-summary.js';
import type { MetricsRestorer } from '../metrics/metrics-restore.service.js';
import type { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { ReconcileResultsReader } from './reconcile-results.reader.js';

/**
 * How many of the latest successful/partial reconciliations are replayed at start, oldest first, so
 * that sections a later run did not compute (duplicates, debts, counts of other entities) come back
 * as a process that saw those runs would show them.
 */
const RUNS_REPLAYED = 10;

/** Reconciliation's gauges from its runs at start. */
export class ReconcileMetricsRestore implements MetricsRestorer {
  readonly name = 'reconcileRuns';

  constructor(private readonly db: DataSource) {}

  async restore(metrics: SverkaMetrics): Promise<number> {
    const runs = await new ReconcileResultsReader(this.db).latestSummaries(RUNS_REPLAYED);
    for (const r of runs) applyRunSummaryToMetrics(metrics, r);
    return runs.length;
  }
}
