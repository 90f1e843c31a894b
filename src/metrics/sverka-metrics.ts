import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SYNC_ENTITIES, SYNC_RESULTS } from '../common/vocabulary.js';
import { METRICS, type MetricKey } from './metric-names.constants.js';

/** The label names of a metric, as a type: `metrics.syncRecords.inc({ entity, result })` is checked. */
type LabelsOf<K extends MetricKey> = (typeof METRICS)[K]['labels'][number];

/** Default Node metrics whose names end in `_total` without being counters: `promtool check metrics` rejects them. */
const REJECTED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The process's metrics: one prom-client registry with every metric of METRICS, typed.
 * Modules receive this object (Nest provider `SverkaMetrics`) and update it; `/metrics` renders `registry`.
 */
export class SverkaMetrics {
  readonly registry = new Registry();

  readonly syncRecords = this.counter('syncRecords');
  readonly syncRunDuration = new Histogram<LabelsOf<'syncRunDuration'>>({
    ...this.base('syncRunDuration'),
    buckets: [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
  });
  readonly syncLastSuccess = this.gauge('syncLastSuccess');
  readonly syncDeadLetters = this.gauge('syncDeadLetters');
  readonly syncConflictsOpen = this.gauge('syncConflictsOpen');
  readonly conflictsOverdue = this.gauge('conflictsOverdue');
  readonly matchesOpen = this.gauge('matchesOpen');
  readonly crmRequests = this.counter('crmRequests');
  readonly onecRequests = this.counter('onecRequests');
  readonly feedLag = this.gauge('feedLag');
  readonly feedPending = this.gauge('feedPending');
  readonly reconcileRuns = this.counter('reconcileRuns');
  readonly reconcileLastSuccess = this.gauge('reconcileLastSuccess');
  readonly reconcileDiscrepancies = this.gauge('reconcileDiscrepancies');
  readonly reconcileRecords = this.gauge('reconcileRecords');
  readonly openDebt = this.gauge('openDebt');
  readonly duplicateClusters = this.gauge('duplicateClusters');
  readonly reportEmails = this.counter('reportEmails');

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      for (const name of REJECTED_DEFAULTS) this.registry.removeSingleMetric(name);
    }
    // Counters with a known label set start at 0, so rate()/increase() see their first increment and
    // the dashboards show 0 rather than "no data" before the first sync or run.
    for (const entity of SYNC_ENTITIES)
      for (const result of SYNC_RESULTS) this.syncRecords.inc({ entity, result }, 0);
    for (const status of ['succeeded', 'partial', 'failed']) this.reconcileRuns.inc({ status }, 0);
  }

  private base<K extends MetricKey>(key: K) {
    const m = METRICS[key];
    return {
      name: m.name,
      help: m.help,
      labelNames: [...m.labels] as LabelsOf<K>[],
      registers: [this.registry],
    };
  }

  private counter<K extends MetricKey>(key: K) {
    return new Counter<LabelsOf<K>>(this.base(key));
  }

  private gauge<K extends MetricKey>(key: K) {
    return new Gauge<LabelsOf<K>>(this.base(key));
  }
}
