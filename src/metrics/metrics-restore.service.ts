import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { describeError } from '../common/describe-error.js';
import { SverkaMetrics } from './sverka-metrics.js';

/**
 * The gauges are re-read from the database this often, so that every instance behind one job shows
 * what the instance that ran the reconciliation or sync shows (only that one updates them live).
 */
export const METRICS_REFRESH_MS = 60_000;

/** A module's restore of its own gauges from its own tables (sync, reconciliation). */
export interface MetricsRestorer {
  /** The key of its result in `restore()`'s answer, e.g. `sync`. */
  readonly name: string;
  /** Sets the module's gauges; returns what it found (for logs and tests). */
  restore(metrics: SverkaMetrics): Promise<number | boolean>;
}

/**
 * At start, has every module set its gauges from the database so a restart does not blank the
 * dashboards, then again every minute (METRICS_REFRESH_MS) so that all instances agree. The modules
 * register their restorers (they own the tables); counters start at 0, as Prometheus expects of a
 * restart. A failure is logged and never stops the application.
 */
@Injectable()
export class MetricsRestoreService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(MetricsRestoreService.name);
  private readonly restorers: MetricsRestorer[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly metrics: SverkaMetrics) {}

  register(restorer: MetricsRestorer): void {
    this.restorers.push(restorer);
  }

  async onApplicationBootstrap(): Promise<void> {
    const found = await this.restore();
    this.log.log(
      `metrics restored: ${
        Object.entries(found)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ') || 'nothing to restore'
      }`,
    );
    this.timer = setInterval(() => void this.restore(), METRICS_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Every module's gauges from the database; what each found (0/false when it failed). Never throws. */
  async restore(): Promise<Record<string, number | boolean>> {
    const out: Record<string, number | boolean> = {};
    for (const r of this.restorers) {
      try {
        out[r.name] = await r.restore(this.metrics);
      } catch (e) {
        this.log.warn(`could not restore ${r.name} metrics: ${describeError(e)}`);
        out[r.name] = false;
      }
    }
    return out;
  }
}
