import {
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { describeError } from '../common/describe-error.js';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';
import type { RunSummary } from '../reconcile/reconcile.types.js';
import { ConflictTodoReader } from '../todos/conflict-todo.reader.js';
import {
  applyRunSummaryToMetrics,
  applySyncStateToMetrics,
  type FinishedReconcileRun,
  type SyncMetricsState,
} from './apply-run-summary.js';
import { SverkaMetrics } from './sverka-metrics.js';

/**
 * How many of the latest successful/partial reconciliations are replayed at start, oldest first, so
 * that sections a later run did not compute (duplicates, debts, counts of other entities) come back
 * as a process that saw those runs would show them.
 */
const RUNS_REPLAYED = 10;

/**
 * The gauges are re-read from the database this often, so that every instance behind one job shows
 * what the instance that ran the reconciliation or sync shows (only that one updates them live).
 */
export const METRICS_REFRESH_MS = 60_000;

/**
 * At start, sets the gauges from the database so a restart does not blank the dashboards: the
 * results of the latest finished reconciliations (`reconciliation_run`) and the sync state
 * (`sync_run`, `sync_item_failure`, `sync_conflict`, overdue `conflict_todo`s); then again every minute
 * (METRICS_REFRESH_MS) so that all instances agree. Counters start at 0, as Prometheus expects of a restart. A missing table (a module
 * not deployed, migrations not run) is skipped; a failure is logged and never stops the application.
 */
@Injectable()
export class MetricsRestoreService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(MetricsRestoreService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly metrics: SverkaMetrics,
    @Optional() private readonly db?: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.db) return;
    const found = await this.restore();
    this.log.log(
      `metrics restored: ${found.reconcileRuns} reconciliation run(s), sync state ${found.sync ? 'found' : 'absent'}`,
    );
    this.timer = setInterval(() => void this.restore(), METRICS_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sets the gauges from the database; returns what was found (for logs and tests). Never throws. */
  async restore(): Promise<{ reconcileRuns: number; sync: boolean }> {
    if (!this.db?.isInitialized) return { reconcileRuns: 0, sync: false };
    const reconcileRuns = await this.attempt('reconciliation', () => this.restoreReconciliation(), 0);
    const sync = await this.attempt('sync', () => this.restoreSync(), false);
    return { reconcileRuns, sync };
  }

  private async restoreReconciliation(): Promise<number> {
    const db = this.db!;
    if (!(await tableExists(db, 'reconciliation_run'))) return 0;
    const rows: { status: FinishedReconcileRun['status']; finished_at: Date; summary: RunSummary | null }[] =
      await db.query(
        `SELECT status, finished_at, summary FROM (
           SELECT status, finished_at, summary FROM reconciliation_run
            WHERE finished_at IS NOT NULL AND status IN ('succeeded', 'partial')
            ORDER BY finished_at DESC LIMIT $1) latest
          ORDER BY finished_at ASC`,
        [RUNS_REPLAYED],
      );
    for (const r of rows)
      applyRunSummaryToMetrics(this.metrics, {
        status: r.status,
        finishedAt: r.finished_at,
        summary: r.summary,
      });
    return rows.length;
  }

  private async restoreSync(): Promise<boolean> {
    const db = this.db!;
    const [runs, failures, conflicts] = [
      await tableExists(db, 'sync_run'),
      await tableExists(db, 'sync_item_failure'),
      await tableExists(db, 'sync_conflict'),
    ];
    if (!runs && !failures && !conflicts) return false;
    const state: SyncMetricsState = { lastSuccess: {}, deadLetters: {} };
    if (runs) {
      // An entity synced successfully in a run that finished succeeded or partial (records that failed
      // are dead letters or retries, counted apart) and that has stats for it (its step ran).
      const rows: { entity: string; at: Date }[] = await db.query(
        `SELECT e.entity, max(r.finished_at) AS at
           FROM sync_run r CROSS JOIN LATERAL unnest(r.entities) AS e(entity)
          WHERE r.status IN ('succeeded', 'partial') AND r.finished_at IS NOT NULL AND r.stats ? e.entity
          GROUP BY e.entity`,
      );
      for (const r of rows) if (isSyncEntity(r.entity)) state.lastSuccess[r.entity] = r.at;
    }
    if (failures) {
      const rows: { entity: string; n: string }[] = await db.query(
        `SELECT entity, count(*) AS n FROM sync_item_failure WHERE dead GROUP BY entity`,
      );
      for (const r of rows) if (isSyncEntity(r.entity)) state.deadLetters[r.entity] = Number(r.n);
    }
    if (conflicts) {
      state.openConflicts = {};
      const rows: { entity: string; n: string }[] = await db.query(
        `SELECT entity, count(*) AS n FROM sync_conflict WHERE status = 'open' GROUP BY entity`,
      );
      for (const r of rows) if (isSyncEntity(r.entity)) state.openConflicts[r.entity] = Number(r.n);
    }
    const overdue = await new ConflictTodoReader(db).overdueAt(new Date());
    if (overdue) state.overdueTodos = overdue.byEntity;
    applySyncStateToMetrics(this.metrics, state);
    return true;
  }

  private async attempt<T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      this.log.warn(`could not restore ${what} metrics: ${describeError(e)}`);
      return fallback;
    }
  }
}

async function tableExists(db: DataSource, table: string): Promise<boolean> {
  const [row]: { ok: boolean }[] = await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
    `public.${table}`,
  ]);
  return row?.ok === true;
}

function isSyncEntity(v: string): v is SyncEntity {
  return (SYNC_ENTITIES as readonly string[]).includes(v);
}
