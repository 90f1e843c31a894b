import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { describeError } from '../common/describe-error.js';
import {
  RECONCILE_ENTITIES,
  SYNC_ENTITIES,
  type DiscrepancyKind,
  type ReconcileEntity,
  type RunStatus,
  type RunTrigger,
} from '../common/vocabulary.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { CRM_PORT, type CrmPort } from '../crm/crm.port.js';
import { DedupeService } from '../dedupe/dedupe.service.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { applyRunSummaryToMetrics } from '../metrics/apply-run-summary.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { ONEC_PORT, type OneCPort } from '../onec/onec.port.js';
import { QueueService } from '../queue/queue.service.js';
import { RunLifecycle, type RunHandle } from '../runs/run-lifecycle.js';
import type { CreateRunInput } from '../runs/run.repository.js';
import { RunLostError } from '../runs/run.types.js';
import { enabledEntitiesOf, enabledReconcileEntities, switchedOffReason } from '../scope/enabled-entities.js';
import { ScopeService } from '../scope/scope.service.js';
import type { EnabledEntities } from '../scope/scope.types.js';
import { SyncFindingsReader } from '../sync/sync-findings.reader.js';
import { DebtsCheck } from './checks/debts.check.js';
import { DuplicatesCheck } from './checks/duplicates.check.js';
import { EntityCheck } from './checks/entity.check.js';
import type { ReconcileCheck, RunState } from './checks/reconcile-check.js';
import { SampleCheck } from './checks/sample.check.js';
import { SyncFailuresCheck } from './checks/sync-failures.check.js';
import { DiscrepancyWriter } from './discrepancy-writer.js';
import { describeItems } from './reconcile-describe.sql.js';
import {
  ReconcileRunRepository,
  toRunView,
  type RunOptions,
  type RunRow,
} from './reconcile-run.repository.js';
import { indexStage, insertStage, resetStage, stageLinks } from './reconcile-stage.repository.js';
import { DEFAULT_SAMPLE_SIZE } from './reconcile.constants.js';
import { RECONCILE_REPORTS, type ReconcileReports } from './reconcile-reports.port.js';
import { reconcileMessages } from './reconcile.messages.js';
import type { RunSummary } from './reconcile.types.js';
import { discrepancyDelta } from './run-delta.util.js';
import { SkipCheck, type RunContext, type SnapshotSource } from './run-context.js';
import { snapshotStep, stageOrdersOutOfWindow } from './snapshots.js';

export interface RunRequest {
  trigger: RunTrigger;
  entities?: ReconcileEntity[];
  sampleSize?: number;
  dedupe?: boolean;
  report?: boolean;
  idempotencyKey?: string | null;
  /** Schedule slot (e.g. `2026-11-28`): one run per slot across instances. */
  slot?: string | null;
}

/**
 * Executes reconciliation runs (src/runs/ for the lifecycle): snapshot both systems into the staging
 * tables (snapshots.ts), then run the checks (checks/) over them — SQL comparisons, dead letters, the
 * control sample, duplicates — then describe the items, store the summary, and hand the finished run to
 * metrics, audit and the report. A source that cannot be read skips the checks that need it and makes the
 * run `partial` (never a false "all clear"); anything unexpected makes it `failed`.
 */
@Injectable()
export class ReconcileRunnerService implements BeforeApplicationShutdown {
  private shuttingDown = false;

  /** From here on, a run that breaks is one the shutdown cut short, not a failure (logged as such). */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  private readonly log = new Logger(ReconcileRunnerService.name);
  readonly runs: ReconcileRunRepository;
  /** Create, start, ownership checks, finish and recovery of runs (shared with sync, src/runs/). */
  readonly lifecycle: RunLifecycle<RunRow>;
  /** The run this runner is executing (at most one: one reconciliation is active at a time). */
  private current: RunHandle<RunRow> | null = null;
  /** The pilot scope (mapping `scope`); built here from the mapping and the 1C port when not injected. */
  private readonly scope: ScopeService;

  constructor(
    private readonly db: DataSource,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(MAPPING) private readonly mapping: Mapping,
    @Optional() @Inject(ONEC_PORT) private readonly onec?: OneCPort,
    @Optional() @Inject(CRM_PORT) private readonly crm?: CrmPort,
    @Optional() private readonly dedupe?: DedupeService,
    @Optional() private readonly metrics?: SverkaMetrics,
    @Optional() private readonly audit?: AuditService,
    @Optional() @Inject(RECONCILE_REPORTS) private readonly reports?: ReconcileReports,
    @Optional() queue?: QueueService,
    @Optional() scope?: ScopeService,
  ) {
    this.scope = scope ?? new ScopeService(mapping, onec);
    this.runs = new ReconcileRunRepository(db);
    this.lifecycle = new RunLifecycle<RunRow>(db, this.runs.spec, {
      repository: this.runs,
      jobState: queue ? (name, id) => queue.jobState(name, id) : undefined,
      warn: (m) => this.log.warn(m),
      onRecovered: () => this.metrics?.reconcileRuns.inc({ status: 'failed' }),
    });
  }

  /**
   * Options of a run, with the defaults (scheduled runs: dedupe and report on; entities: those `enabled`
   * by SYNC_ENTITIES, `debts` with `counterparties`).
   */
  static options(req: RunRequest, enabled: EnabledEntities = SYNC_ENTITIES): RunOptions {
    const scheduled = req.trigger === 'schedule';
    return {
      entities: req.entities?.length ? [...new Set(req.entities)] : enabledReconcileEntities(enabled),
      sampleSize: req.sampleSize ?? (scheduled ? DEFAULT_SAMPLE_SIZE : 0),
      dedupe: req.dedupe ?? scheduled,
      report: scheduled ? true : (req.report ?? false),
    };
  }

  /** Creates a queued run (or returns the one of the same idempotency key / slot). Throws ActiveRunError. */
  async create(req: RunRequest): Promise<{ run: RunRow; created: boolean }> {
    return this.lifecycle.create(this.runInput(req));
  }

  /** The entities SYNC_ENTITIES enables (all of them without the setting). */
  get enabled(): EnabledEntities {
    return enabledEntitiesOf(this.settings);
  }

  /** The run row a request creates (default entities: the enabled ones). */
  runInput(req: RunRequest): CreateRunInput {
    return ReconcileRunnerService.runInput(req, this.enabled);
  }

  /** The run row a request creates. */
  static runInput(req: RunRequest, enabled: EnabledEntities = SYNC_ENTITIES): CreateRunInput {
    return {
      trigger: req.trigger,
      idempotencyKey: req.idempotencyKey ?? null,
      slot: req.slot ?? null,
      values: { options: JSON.stringify(ReconcileRunnerService.options(req, enabled)) },
    };
  }

  /** Creates a run and executes it in this process; returns the finished run (demo, CLI, tests). */
  async runNow(req: RunRequest): Promise<ReturnType<typeof toRunView>> {
    const { run } = await this.create(req);
    await this.execute(run.id);
    const done = await this.runs.get(run.id);
    return toRunView(done!);
  }

  /** Executes a queued run to its end. Never throws for a check's failure; returns the final status. */
  async execute(runId: string): Promise<RunStatus | null> {
    const handle = await this.lifecycle.begin(runId);
    if (!handle) return null;
    const run = handle.run;
    const started = Date.now();
    await this.audit?.record({
      action: 'reconcile.run.start',
      target: runId,
      outcome: 'ok',
      detail: { trigger: run.trigger, options: run.options },
    });
    let status: RunStatus = 'failed';
    let summary: RunSummary | null = null;
    let error: string | null = null;
    this.current = handle;
    try {
      summary = await this.work(run);
      // A check of an entity SYNC_ENTITIES switches off is listed as skipped but is no failure: not `partial`.
      status = summary.skippedChecks?.some((c) => !c.switchedOff) ? 'partial' : 'succeeded';
    } catch (e) {
      if (e instanceof RunLostError) {
        // Another instance recovered the run: nothing more is written, and it is not ours to finish.
        this.log.warn(`reconcile run ${runId} stopped: ${e.message}`);
        await handle.close();
        return null;
      }
      if (this.shuttingDown) {
        // Stopping under a run executing in this process: recovered at the next start, not a failure.
        this.log.warn(
          `reconcile run ${runId} interrupted by shutdown (${describeError(e)}); the next start recovers it`,
        );
        await handle.close().catch(() => undefined);
        return null;
      }
      error = describeError(e);
      this.log.error(`reconcile run ${runId} failed: ${error}`);
    } finally {
      this.current = null;
    }
    const values = { summary: summary ? JSON.stringify(summary) : null };
    if (!(await handle.finish(status, error, values))) {
      this.log.warn(`reconcile run ${runId} ended (${status}) after another instance had recovered it`);
      return null;
    }
    this.log.log(
      `reconcile run ${runId} ${status} in ${Date.now() - started} ms: ${JSON.stringify(summary?.discrepancies ?? {})}`,
    );
    await this.afterFinish(runId, run, status, summary, error);
    return status;
  }

  private async afterFinish(
    runId: string,
    run: RunRow,
    status: RunStatus,
    summary: RunSummary | null,
    error: string | null,
  ): Promise<void> {
    try {
      this.metrics?.reconcileRuns.inc({ status });
      if (this.metrics) applyRunSummaryToMetrics(this.metrics, { status, summary, finishedAt: new Date() });
    } catch (e) {
      this.log.warn(`metrics update failed for run ${runId}: ${describeError(e)}`);
    }
    await this.audit?.record({
      action: 'reconcile.run.finish',
      target: runId,
      outcome: status,
      detail: {
        discrepancies: summary?.discrepancies ?? null,
        skippedChecks: summary?.skippedChecks ?? null,
        error,
      },
    });
    if (run.trigger === 'schedule' || run.options.report) {
      try {
        if (this.reports) await this.reports.reportRun(runId);
        else this.log.warn(`run ${runId}: no report module loaded, report not delivered`);
      } catch (e) {
        // A failed delivery never changes the run's status; the report module records and counts it.
        this.log.warn(`report delivery for run ${runId} failed: ${describeError(e)}`);
      }
    }
  }

  // ---------------------------------------------------------------- the run itself

  /** The checks of a run, in the order they run (the SQL comparisons first: the sample avoids their items). */
  private checksOf(options: RunOptions): ReconcileCheck[] {
    const entities = new Set(options.entities);
    const checks: ReconcileCheck[] = SYNC_ENTITIES.filter((e) => entities.has(e)).map(
      (e) => new EntityCheck(e),
    );
    if (entities.has('debts')) checks.push(new DebtsCheck());
    checks.push(new SyncFailuresCheck());
    if (options.sampleSize > 0) checks.push(new SampleCheck());
    if (options.dedupe) checks.push(new DuplicatesCheck(this.dedupe, this.settings.REPORT_LOCALE));
    return checks;
  }

  private async work(run: RunRow): Promise<RunSummary> {
    const runId = run.id;
    const skipped: NonNullable<RunSummary['skippedChecks']> = [];
    // SYNC_ENTITIES as it is now (a run queued before a change of the setting follows the new value): an
    // entity switched off is a skipped check with that reason, never compared.
    const enabled = this.enabled;
    const allowed = enabledReconcileEntities(enabled);
    for (const entity of RECONCILE_ENTITIES.filter((e) => !allowed.includes(e)))
      skipped.push({
        check: entity === 'debts' ? 'debts' : `${entity}: comparison`,
        reason: switchedOffReason(entity, enabled),
        switchedOff: true,
      });
    const options: RunOptions = {
      ...run.options,
      entities: run.options.entities.filter((e) => allowed.includes(e)),
    };
    // The pilot scope, resolved against 1C once per run (a wrong folder or an unreadable 1C fails the run).
    const scope = await this.scope.resolve();
    if (scope)
      this.log.log(`reconcile run ${runId}: pilot scope of ${scope.counterparties.size} counterparties`);
    const messages = reconcileMessages(this.settings.REPORT_LOCALE);
    const assertOwned = () => this.current?.assertOwned();
    const ctx: RunContext = {
      runId,
      db: this.db,
      mapping: this.mapping,
      options,
      entities: new Set(options.entities),
      scope,
      messages,
      compare: {
        runId,
        mapping: this.mapping,
        messages,
        amountDigits: this.crm?.capabilities.amountDigits ?? 2,
        scoped: scope !== null,
      },
      onec: this.onec,
      crm: this.crm,
      writer: new DiscrepancyWriter(this.db, runId, assertOwned),
      log: this.log,
      stageRows: async (table, rows) => {
        assertOwned();
        await insertStage(this.db, table, rows);
      },
      checkOwned: () => this.current?.check(),
      assertOwned,
      skip: (check, e) => {
        const reason = e instanceof SkipCheck ? e.message : describeError(e);
        skipped.push({ check, reason });
        this.log.warn(`reconcile run ${runId}: check ${check} skipped: ${reason}`);
      },
    };
    const checks = this.checksOf(options);

    // 1. Snapshot: every source a check needs (counterparties always: contacts and deals are judged by
    // their owner, debts and duplicates by the companies), read once. The 1C side and the CRM side are
    // read concurrently (the CRM's rate limit, not 1C, sets the pace), entity by entity.
    await ctx.checkOwned();
    await resetStage(this.db);
    const sources = new Set<SnapshotSource>([
      'onec:counterparties',
      'crm:counterparties',
      ...checks.flatMap((c) => c.needs),
    ]);
    const ready = new Set<SnapshotSource>();
    const order: SnapshotSource[] = ['counterparties', 'contacts', 'deals', 'debts'].flatMap((e) =>
      (['onec', 'crm'] as const).map((side) => `${side}:${e}` as SnapshotSource),
    );
    await Promise.all(
      (['onec', 'crm'] as const).map(async (side) => {
        for (const source of order.filter((s) => s.startsWith(side) && sources.has(s))) {
          try {
            await snapshotStep(source)(ctx);
            ready.add(source);
          } catch (e) {
            if (e instanceof RunLostError) throw e;
            ctx.skip(`${source.split(':')[1]}: ${side === 'onec' ? '1C' : 'CRM'} snapshot`, e);
          }
        }
      }),
    );
    await ctx.writer.flush();
    const linkSource = await stageLinks(this.db, this.mapping.source);
    if (this.mapping.deals.ordersSince && ready.has('onec:deals') && ready.has('crm:deals')) {
      try {
        await stageOrdersOutOfWindow(ctx);
      } catch (e) {
        if (e instanceof RunLostError) throw e;
        ready.delete('onec:deals');
        ctx.skip('deals: 1C orders older than ordersSince', e);
      }
    }
    await indexStage(this.db);
    this.log.log(`reconcile run ${runId}: snapshot done (links from ${linkSource})`);

    // 2. The checks over the snapshot.
    const state: RunState = { summary: { counts: {}, discrepancies: {} }, ready, linkSource };
    for (const check of checks) {
      if (!check.needs.every((n) => ready.has(n))) continue;
      await ctx.checkOwned();
      try {
        await check.compare(ctx, state);
      } catch (e) {
        if (!(e instanceof SkipCheck) && !check.optional) throw e;
        ctx.skip(check.name, e);
      }
    }
    await ctx.writer.flush();
    await this.describe(ctx);

    // 3. The summary.
    await ctx.checkOwned();
    return this.summarize(runId, state, skipped);
  }

  private async summarize(
    runId: string,
    state: RunState,
    skipped: NonNullable<RunSummary['skippedChecks']>,
  ): Promise<RunSummary> {
    const summary = state.summary;
    const findings = new SyncFindingsReader(this.db);
    summary.conflicts = await findings.openConflicts();
    summary.matches = await findings.openMatches();
    const byKind = (await this.db.query(
      `SELECT entity, kind, count(*)::int AS n FROM discrepancy WHERE run_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [runId],
    )) as { entity: ReconcileEntity; kind: DiscrepancyKind; n: number }[];
    summary.discrepanciesByEntity = {};
    for (const r of byKind) {
      summary.discrepancies[r.kind] = (summary.discrepancies[r.kind] ?? 0) + r.n;
      (summary.discrepanciesByEntity[r.entity] ??= {})[r.kind] = r.n;
    }
    if (summary.debts) summary.debts.mismatched = summary.discrepanciesByEntity.debts?.debt_mismatch ?? 0;
    if (skipped.length) summary.skippedChecks = skipped.sort((x, y) => x.check.localeCompare(y.check));
    const prev = await this.runs.latestFinished(runId, { withSummary: true });
    summary.previousRunId = prev?.id ?? null;
    summary.delta = discrepancyDelta(summary.discrepancies, prev?.summary?.discrepancies ?? null);
    return summary;
  }

  /** Names, INNs, card links and value labels on every item (reconcile-describe.sql.ts); never fails the run. */
  private async describe(ctx: RunContext): Promise<void> {
    const { crm, onec } = this;
    try {
      await describeItems(this.db, ctx.compare, {
        crm: crm ? (entity, id) => crm.recordUrl(entity, id) : undefined,
        onec: onec ? (entity, ref) => onec.recordUrl(entity, ref) : undefined,
      });
    } catch (e) {
      this.log.warn(
        `reconcile run ${ctx.runId}: items not described (no names or links): ${describeError(e)}`,
      );
    }
  }
}
