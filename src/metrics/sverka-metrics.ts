import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS } from './metric-names.constants.js';

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
  readonly syncRunDuration = new Histogram({
    ...this.base('syncRunDuration'),
    buckets: [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
  });
  readonly syncLastSuccess = this.gauge('syncLastSuccess');
  readonly syncDeadLetters = this.gauge('syncDeadLetters');
  readonly crmRequests = this.counter('crmRequests');
  readonly onecRequests = this.counter('onecRequests');
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
  }

  private base(key: keyof typeof METRICS) {
    const m = METRICS[key];
    return { name: m.name, help: m.help, labelNames: [...m.labels] as string[], registers: [this.registry] };
  }

  private counter(key: keyof typeof METRICS) {
    return new Counter(this.base(key));
  }

  private gauge(key: keyof typeof METRICS) {
    return new Gauge(this.base(key));
  }
}
