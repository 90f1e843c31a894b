import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { describeError } from '../common/describe-error.js';
import type { RunTableSpec } from './run.types.js';
import { RUN_SWEEP_MS } from './runs.constants.js';

/** A kind's lifecycle as the sweeper sees it (src/runs/run-lifecycle.ts). */
export interface SweepTarget {
  readonly spec: RunTableSpec;
  recoverDead(now?: Date): Promise<string[]>;
}

/**
 * Every instance recovers dead runs of every kind: at once when it starts, then every RUN_SWEEP_MS.
 * Sync and reconciliation register their lifecycles here; the sweep itself is RunLifecycle.recoverDead.
 */
@Injectable()
export class RunSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(RunSweeperService.name);
  private readonly lifecycles: SweepTarget[] = [];
  private timer?: NodeJS.Timeout;
  private sweeping: Promise<void> | null = null;

  register(lifecycle: SweepTarget): void {
    this.lifecycles.push(lifecycle);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), RUN_SWEEP_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass over every kind; never throws (a database outage is logged and the next pass tries again). */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      for (const lc of this.lifecycles) {
        try {
          await lc.recoverDead();
        } catch (e) {
          this.log.warn(`looking for dead ${lc.spec.noun}s failed: ${describeError(e)}`);
        }
      }
    })().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }
}
