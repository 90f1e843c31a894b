import { reasonText } from '../dedupe/reason-text.js';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
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
  type SyncEntity,
} from '../common/vocabulary.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { CRM_PORT, type CrmPort } from '../crm/crm.port.js';
import type { CrmEntity, CrmMalformedRecord } from '../crm/crm.types.js';
import { DedupeService } from '../dedupe/dedupe.service.js';
import type { DedupeRecord } from '../dedupe/dedupe.types.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { applyRunSummaryToMetrics } from '../metrics/apply-run-summary.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { ReportDeliveryService } from '../report/report-delivery.service.js';
import { ONEC_PORT, type OneCPort } from '../onec/onec.port.js';
import type { MalformedRecord, OneCEntity } from '../onec/onec.types.js';
import {
  compareCounts,
  compareDebts,
  compareFields,
  compareMissing,
  compareOrphans,
  compareStatuses,
  countEntity,
  type CompareContext,
} from './reconcile-compare.sql.js';
import { ReconcileRunRepository, toRunView, type RunOptions, type RunRow } from './reconcile-run.repository.js';
import { RunLifecycle, type RunHandle } from '../runs/run-lifecycle.js';
import { RunLostError } from '../runs/run.types.js';
import { QueueService } from '../queue/queue.service.js';
import { describeItems } from './reconcile-describe.sql.js';
import { diffSampled } from './reconcile-sample.js';
import {
  crmCompanyRow,
  crmContactRow,
  crmDealRow,
  crmInvoiceRow,
  onecContactRow,
  onecCounterpartyRow,
  onecDebtRow,
  onecOrderRow,
} from './reconcile-rows.js';
import {
  indexStage,
  insertStage,
  resetStage,
  stage,
  stageLinks,
  type StageRow,
  type StageTable,
} from './reconcile-stage.repository.js';
import { DEFAULT_SAMPLE_SIZE, KIND_SEVERITY } from './reconcile.constants.js';
import { reconcileMessages, type ReconcileMessages } from './reconcile.messages.js';
import type { RunSummary } from './reconcile.types.js';
import type { CreateRunInput } from '../runs/run.repository.js';
import { discrepancyDelta } from './run-delta.util.js';
import { validateContact, validateCounterparty } from './validate-records.js';

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

/** A discrepancy built in JS (validation, malformed records, dead letters, sample). */
interface PendingItem {
  kind: DiscrepancyKind;
  entity: ReconcileEntity;
  severity: string;
  onecRef: string | null;
  crmId: string | null;
  field: string | null;
  onecValue: string | null;
  crmValue: string | null;
  detail: string;
}

/** Thrown inside a run when a check's source could not be read: the check is skipped, the run is partial. */
class SkipCheck extends Error {}

const ONEC_OF: Record<SyncEntity, { entity: OneCEntity; table: StageTable }> = {
  counterparties: { entity: 'counterparties', table: 'onec_counterparty' },
  contacts: { entity: 'contacts', table: 'onec_contact' },
  deals: { entity: 'deals', table: 'onec_order' },
};
const CRM_OF: Record<SyncEntity, { entity: CrmEntity; table: StageTable }> = {
  counterparties: { entity: 'companies', table: 'crm_company' },
  contacts: { entity: 'contacts', table: 'crm_contact' },
  deals: { entity: 'deals', table: 'crm_deal' },
};

/**
 * Executes reconciliation runs: snapshot both systems page by page into the staging tables, compare
 * there in SQL, store items and the summary, then metrics, audit and the report. A source that cannot
 * be read skips the checks that need it and makes the run `partial` (never a false "all clear");
 * anything unexpected makes it `failed`.
 */
/** Orders read by key per call when telling "gone" from "older than ordersSince" (the adapter asks 20 per request). */
const OUT_OF_WINDOW_CHUNK = 500;

@Injectable()
export class ReconcileRunnerService {
  private readonly log = new Logger(ReconcileRunnerService.name);
  readonly runs: ReconcileRunRepository;
  /** Create, start, ownership checks, finish and recovery of runs (shared with sync, src/runs/). */
  readonly lifecycle: RunLifecycle<RunRow>;
  /** The run this runner is executing (at most one: one reconciliation is active at a time). */
  private current: RunHandle<RunRow> | null = null;

  constructor(
    private readonly db: DataSource,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(MAPPING) private readonly mapping: Mapping,
    @Optional() @Inject(ONEC_PORT) private readonly onec?: OneCPort,
    @Optional() @Inject(CRM_PORT) private readonly crm?: CrmPort,
    @Optional() private readonly dedupe?: DedupeService,
    @Optional() private readonly metrics?: SverkaMetrics,
    @Optional() private readonly audit?: AuditService,
    @Optional() private readonly reports?: ReportDeliveryService,
    @Optional() queue?: QueueService,
  ) {
    this.runs = new ReconcileRunRepository(db);
    this.lifecycle = new RunLifecycle<RunRow>(db, this.runs.spec, {
      repository: this.runs,
      jobState: queue ? (name, id) => queue.jobState(name, id) : undefined,
      warn: (m) => this.log.warn(m),
      onRecovered: () => this.metrics?.reconcileRuns.inc({ status: 'failed' }),
    });
  }

  /** Options of a run, with the defaults (scheduled runs: dedupe and report on). */
  static options(req: RunRequest): RunOptions {
    const scheduled = req.trigger === 'schedule';
    return {
      entities: req.entities?.length ? [...new Set(req.entities)] : [...RECONCILE_ENTITIES],
      sampleSize: req.sampleSize ?? (scheduled ? DEFAULT_SAMPLE_SIZE : 0),
      dedupe: req.dedupe ?? scheduled,
      report: scheduled ? true : (req.report ?? false),
    };
  }

  /** Creates a queued run (or returns the one of the same idempotency key / slot). Throws ActiveRunError. */
  async create(req: RunRequest): Promise<{ run: RunRow; created: boolean }> {
    return this.lifecycle.create(ReconcileRunnerService.runInput(req));
  }

  /** The run row a request creates. */
  static runInput(req: RunRequest): CreateRunInput {
    return {
      trigger: req.trigger,
      idempotencyKey: req.idempotencyKey ?? null,
      slot: req.slot ?? null,
      values: { options: JSON.stringify(ReconcileRunnerService.options(req)) },
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
      status = summary.skippedChecks?.length ? 'partial' : 'succeeded';
    } catch (e) {
      if (e instanceof RunLostError) {
        // Another instance recovered the run: nothing more is written, and it is not ours to finish.
        this.log.warn(`reconcile run ${runId} stopped: ${e.message}`);
        await handle.close();
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
        if (this.reports) await this.reports.deliver(runId);
        else this.log.warn(`run ${runId}: no report module loaded, report not delivered`);
      } catch (e) {
        // A failed delivery never changes the run's status; the report module records and counts it.
        this.log.warn(`report delivery for run ${runId} failed: ${describeError(e)}`);
      }
    }
  }

  // ---------------------------------------------------------------- the run itself

  private async work(run: RunRow): Promise<RunSummary> {
    const runId = run.id;
    const entities = new Set(run.options.entities);
    const messages = reconcileMessages(this.settings.REPORT_LOCALE);
    const ctx: CompareContext = { runId, mapping: this.mapping, messages };
    const skipped: { check: string; reason: string }[] = [];
    const pending = new PendingWriter(this.db, runId, () => this.current?.assertOwned());
    const skip = (check: string, e: unknown) => {
      const reason = e instanceof SkipCheck ? e.message : describeError(e);
      skipped.push({ check, reason });
      this.log.warn(`reconcile run ${runId}: check ${check} skipped: ${reason}`);
    };

    await this.checkOwned();
    await resetStage(this.db);
    const syncEntities = SYNC_ENTITIES.filter(
      // Counterparties are always read: contacts and deals are judged by their owner, debts by the links.
      (e) => entities.has(e) || e === 'counterparties',
    );
    // Entities (and `debts`) whose snapshot of that side was read completely.
    const onecOk = new Set<string>();
    const crmOk = new Set<string>();

    // 1. Snapshot: the 1C side and the CRM side are read concurrently (the CRM's rate limit, not
    // 1C, sets the pace), each entity by entity; a side that fails skips that entity's comparisons.
    const chain = async (side: '1C' | 'CRM', steps: [string, () => Promise<void>][], ok: Set<string>) => {
      for (const [entity, step] of steps) {
        try {
          await step();
          ok.add(entity);
        } catch (e) {
          skip(`${entity}: ${side} snapshot`, e);
        }
      }
    };
    const wantDebts = entities.has('debts');
    await Promise.all([
      chain(
        '1C',
        [
          ...syncEntities.map((e): [string, () => Promise<void>] => [
            e,
            () => this.snapshotOneC(e, pending, messages, entities.has(e)),
          ]),
          ...(wantDebts
            ? [['debts', () => this.snapshotOneCDebts(pending, messages)] as [string, () => Promise<void>]]
            : []),
        ],
        onecOk,
      ),
      chain(
        'CRM',
        [
          ...syncEntities.map((e): [string, () => Promise<void>] => [
            e,
            () => this.snapshotCrm(e, pending, messages),
          ]),
          ...(wantDebts
            ? [['debts', () => this.snapshotCrmInvoices(pending, messages)] as [string, () => Promise<void>]]
            : []),
        ],
        crmOk,
      ),
    ]);
    const debtsOk = wantDebts && onecOk.has('debts') && crmOk.has('debts');
    await pending.flush();
    const linkSource = await stageLinks(this.db, this.mapping.source);
    if (this.mapping.deals.ordersSince && onecOk.has('deals') && crmOk.has('deals')) {
      try {
        await this.stageOrdersOutOfWindow();
      } catch (e) {
        onecOk.delete('deals');
        skip('deals: 1C orders older than ordersSince', e);
      }
    }
    await indexStage(this.db);
    this.log.log(`reconcile run ${runId}: snapshot done (links from ${linkSource})`);

    await this.checkOwned();
    // 2. Compare in SQL.
    const summary: RunSummary = { counts: {}, discrepancies: {} };
    if (entities.has('deals') && crmOk.has('deals')) ctx.dealStages = await this.dealStageNames(runId);
    // Without sync's link table the links come from the CRM companies: a partial company snapshot
    // would make every contact's and deal's company look wrong, so those checks wait for a full one.
    const linksComplete = linkSource === 'entity_link' || crmOk.has('counterparties');
    for (const entity of syncEntities) {
      if (!entities.has(entity) || !onecOk.has(entity) || !crmOk.has(entity)) continue;
      if (entity !== 'counterparties' && !linksComplete) {
        skip(
          `${entity}: comparison`,
          new SkipCheck(
            'the CRM companies could not be read, so the links to compare through are incomplete',
          ),
        );
        continue;
      }
      await this.checkOwned();
      const counts = await countEntity(this.db, ctx, entity);
      summary.counts[entity] = counts;
      await compareCounts(this.db, ctx, entity, counts);
      await compareMissing(this.db, ctx, entity);
      await compareOrphans(this.db, ctx, entity);
      await compareFields(this.db, ctx, entity);
      if (entity === 'deals') summary.statuses = await compareStatuses(this.db, ctx);
    }
    if (debtsOk && crmOk.has('counterparties')) summary.debts = await compareDebts(this.db, ctx);

    await this.checkOwned();
    // 3. Dead letters, control sample, duplicates.
    await this.syncFailures(pending, messages, entities);
    if (run.options.sampleSize > 0) {
      try {
        summary.sample = await this.controlSample(
          runId,
          run.options.sampleSize,
          entities,
          onecOk,
          crmOk,
          pending,
          messages,
        );
      } catch (e) {
        skip('control sample', e);
      }
    }
    await pending.flush();
    await this.describe(ctx);
    if (run.options.dedupe) {
      try {
        summary.duplicates = await this.findDuplicates(
          runId,
          onecOk.has('counterparties'),
          crmOk.has('counterparties'),
        );
      } catch (e) {
        skip('duplicates', e);
      }
    }

    await this.checkOwned();
    // 4. Summary.
    const conflicts = await this.openConflicts();
    if (conflicts) summary.conflicts = conflicts;
    const byKind = (await this.db.query(
      `SELECT entity, kind, count(*)::int AS n FROM discrepancy WHERE run_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [runId],
    )) as { entity: ReconcileEntity; kind: DiscrepancyKind; n: number }[];
    summary.discrepanciesByEntity = {};
    for (const r of byKind) {
      summary.discrepancies[r.kind] = (summary.discrepancies[r.kind] ?? 0) + r.n;
      (summary.discrepanciesByEntity[r.entity] ??= {})[r.kind] = r.n;
    }
    if (debtsOk && summary.debts)
      summary.debts.mismatched = summary.discrepanciesByEntity.debts?.debt_mismatch ?? 0;
    if (skipped.length) summary.skippedChecks = skipped.sort((x, y) => x.check.localeCompare(y.check));
    const prev = await this.runs.latestFinished(runId, { withSummary: true });
    summary.previousRunId = prev?.id ?? null;
    summary.delta = discrepancyDelta(summary.discrepancies, prev?.summary?.discrepancies ?? null);
    return summary;
  }

  /** Rows into a staging table, unless the run was lost (then RunLostError: nothing more is written). */
  private async stageRows(table: StageTable, rows: StageRow[]): Promise<void> {
    this.current?.assertOwned();
    await insertStage(this.db, table, rows);
  }

  /** An ownership check with a database round trip, between the phases of a run. */
  private async checkOwned(): Promise<void> {
    await this.current?.check();
  }

  /** Deal stage id → name, for texts and labels; empty (codes are shown) when the CRM cannot list them. */
  private async dealStageNames(runId: string): Promise<Record<string, string>> {
    try {
      return Object.fromEntries((await this.requireCrm().listStages('deal')).map((st) => [st.id, st.name]));
    } catch (e) {
      this.log.warn(
        `reconcile run ${runId}: deal stage names not read, stages shown by id: ${describeError(e)}`,
      );
      return {};
    }
  }

  /** A duplicate cluster member's card: the CRM company or the 1C counterparty. */
  private memberUrl(m: { system: 'onec' | 'crm'; id: string }): string | null {
    return m.system === 'crm'
      ? (this.crm?.recordUrl('companies', m.id) ?? null)
      : (this.onec?.recordUrl('counterparties', m.id) ?? null);
  }

  /** Names, INNs, card links and value labels on every item (reconcile-describe.sql.ts); never fails the run. */
  private async describe(ctx: CompareContext): Promise<void> {
    const { crm, onec } = this;
    try {
      await describeItems(this.db, ctx, {
        crm: crm ? (entity, id) => crm.recordUrl(entity, id) : undefined,
        onec: onec ? (entity, ref) => onec.recordUrl(entity, ref) : undefined,
      });
    } catch (e) {
      this.log.warn(
        `reconcile run ${ctx.runId}: items not described (no names or links): ${describeError(e)}`,
      );
    }
  }

  private requireOneC(): OneCPort {
    if (!this.onec) throw new SkipCheck('1C is not configured (ONEC_ODATA_URL)');
    return this.onec;
  }

  private requireCrm(): CrmPort {
    if (!this.crm) throw new SkipCheck('the CRM is not configured (CRM_KIND and its settings)');
    return this.crm;
  }

  private async snapshotOneC(
    entity: SyncEntity,
    pending: PendingWriter,
    m: ReconcileMessages,
    validate: boolean,
  ): Promise<void> {
    const onec = this.requireOneC();
    const { table } = ONEC_OF[entity];
    let incomplete: string | null = null;
    for await (const page of onec.readAll({
      entity: ONEC_OF[entity].entity,
      onReport: (r) => {
        if (!r.complete) incomplete = `1C returned ${r.rows} rows of ${entity} but counts ${r.counted}`;
      },
    })) {
      const rows: StageRow[] = [];
      for (const rec of page.records) {
        if (entity === 'counterparties') {
          const c = rec as Parameters<typeof onecCounterpartyRow>[0];
          rows.push(onecCounterpartyRow(c, this.mapping));
          if (validate && !c.deletionMark)
            for (const f of validateCounterparty(c))
              pending.push(invalidItem(entity, c.ref, f.field, f.value, f.reason, m));
        } else if (entity === 'contacts') {
          const c = rec as Parameters<typeof onecContactRow>[0];
          rows.push(onecContactRow(c, this.mapping));
          if (validate && !c.deletionMark && c.ownerRef)
            for (const f of validateContact(c))
              pending.push(invalidItem(entity, c.ref, f.field, f.value, f.reason, m));
        } else rows.push(onecOrderRow(rec as Parameters<typeof onecOrderRow>[0], this.mapping));
      }
      await this.stageRows(table, rows);
      for (const bad of page.malformed) pending.push(malformedItem(entity, 'onec', bad.ref, bad.reason, m));
      await pending.flushIfFull();
    }
    if (incomplete) throw new SkipCheck(incomplete);
  }

  /**
   * With `deals.ordersSince` the 1C snapshot holds only orders from that date. CRM deals of ours whose
   * order is not in it are read by key: an order still in 1C is staged as out of the window (not an
   * orphan); one 1C no longer has stays missing from the stage (an orphan).
   */
  private async stageOrdersOutOfWindow(): Promise<void> {
    const onec = this.requireOneC();
    const refs = (
      (await this.db.query(
        `SELECT DISTINCT x.ref FROM (
           SELECT coalesce(l.onec_ref, CASE WHEN c.source = $1 THEN c.ext_key END) AS ref
           FROM ${stage('crm_deal')} c LEFT JOIN ${stage('link')} l ON l.entity = 'deals' AND l.crm_id = c.id
         ) x WHERE x.ref IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${stage('onec_order')} o WHERE o.ref = x.ref)`,
        [this.mapping.source],
      )) as { ref: string }[]
    ).map((r) => r.ref);
    for (let i = 0; i < refs.length; i += OUT_OF_WINDOW_CHUNK) {
      const read = await onec.fetchByKeys('deals', refs.slice(i, i + OUT_OF_WINDOW_CHUNK));
      await this.stageRows(
        'onec_order',
        read.records.map((o) => onecOrderRow(o, this.mapping)),
      );
    }
  }

  private async snapshotCrm(entity: SyncEntity, pending: PendingWriter, m: ReconcileMessages): Promise<void> {
    const crm = this.requireCrm();
    const { table, entity: crmEntity } = CRM_OF[entity];
    for await (const page of crm.bulkRead({ entity: crmEntity })) {
      const rows = page.records.map((r) =>
        entity === 'counterparties'
          ? crmCompanyRow(r as Parameters<typeof crmCompanyRow>[0], this.mapping)
          : entity === 'contacts'
            ? crmContactRow(r as Parameters<typeof crmContactRow>[0], this.mapping)
            : crmDealRow(r as Parameters<typeof crmDealRow>[0]),
      );
      await this.stageRows(table, rows);
      for (const bad of page.malformed) pending.push(crmMalformedItem(entity, bad, m));
      await pending.flushIfFull();
    }
  }

  private async snapshotOneCDebts(pending: PendingWriter, m: ReconcileMessages): Promise<void> {
    const onec = this.requireOneC();
    const debts = await onec.readDebts({
      onMalformed: (rows: MalformedRecord[]) => {
        for (const bad of rows) pending.push(malformedItem('debts', 'onec', bad.ref, bad.reason, m));
      },
    });
    for (let i = 0; i < debts.length; i += 5000)
      await this.stageRows('onec_debt', debts.slice(i, i + 5000).map(onecDebtRow));
  }

  private async snapshotCrmInvoices(pending: PendingWriter, m: ReconcileMessages): Promise<void> {
    const crm = this.requireCrm();
    if (!crm.capabilities.invoices)
      throw new SkipCheck(crm.capabilities.invoicesUnavailable ?? `${crm.kind} has no invoices Sverka can read`);
    const listed = this.mapping.debts.openInvoiceStages;
    const open = listed?.length
      ? listed
      : (await crm.listStages('invoice')).filter((s) => s.kind === 'open').map((s) => s.id);
    await this.stageRows(
      'crm_open_stage',
      open.map((s) => [s]),
    );
    for await (const page of crm.bulkRead({ entity: 'invoices' })) {
      await this.stageRows('crm_invoice', page.records.map(crmInvoiceRow));
      for (const bad of page.malformed) pending.push(crmMalformedItem('debts', bad, m));
    }
  }

  /** Sync's dead letters (`sync_item_failure` rows with `dead`), read by JSON so column renames cannot break us. */
  /** Sync's field conflicts waiting for a person (null when the sync tables are not there). */
  private async openConflicts(): Promise<NonNullable<RunSummary['conflicts']> | null> {
    const [{ ok }] = (await this.db.query(
      `SELECT to_regclass('public.sync_conflict') IS NOT NULL AS ok`,
    )) as { ok: boolean }[];
    if (!ok) return null;
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS open, min(created_at) AS oldest FROM sync_conflict WHERE status = 'open'`,
    )) as { open: number; oldest: Date | null }[];
    return { open: row.open, oldestOpenedAt: row.oldest ? new Date(row.oldest).toISOString() : null };
  }

  private async syncFailures(
    pending: PendingWriter,
    m: ReconcileMessages,
    entities: Set<ReconcileEntity>,
  ): Promise<void> {
    const [{ ok }] = (await this.db.query(
      `SELECT to_regclass('public.sync_item_failure') IS NOT NULL AS ok`,
    )) as { ok: boolean }[];
    if (!ok) return;
    const rows = (await this.db.query(
      `SELECT to_jsonb(f) AS j FROM sync_item_failure f WHERE coalesce((to_jsonb(f)->>'dead')::boolean, false)`,
    )) as { j: Record<string, unknown> }[];
    for (const { j } of rows) {
      const entity = String(j.entity ?? 'counterparties') as ReconcileEntity;
      if (!RECONCILE_ENTITIES.includes(entity) || !entities.has(entity)) continue;
      const reason = String(j.last_error ?? j.error ?? j.reason ?? j.message ?? '');
      const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
      pending.push({
        kind: 'sync_failure',
        entity,
        severity: KIND_SEVERITY.sync_failure,
        onecRef: str(j.onec_ref ?? j.ref),
        crmId: str(j.crm_id),
        field: null,
        onecValue: null,
        crmValue: null,
        detail: m.syncFailure(reason),
      });
    }
  }

  /**
   * `sampleSize` random linked records (pairs present in both snapshots) re-read one by one from both
   * systems and compared with the bulk path's row mappers. A difference the bulk comparison did not
   * report is added as a field_mismatch (it would be a bulk-path bug or a change during the run).
   */
  private async controlSample(
    runId: string,
    size: number,
    entities: Set<ReconcileEntity>,
    onecOk: Set<string>,
    crmOk: Set<string>,
    pending: PendingWriter,
    m: ReconcileMessages,
  ): Promise<{ size: number; mismatched: number }> {
    const onec = this.requireOneC();
    const crm = this.requireCrm();
    const usable = SYNC_ENTITIES.filter((e) => entities.has(e) && onecOk.has(e) && crmOk.has(e));
    if (!usable.length) return { size: 0, mismatched: 0 };
    const picks = (await this.db.query(
      `SELECT l.entity, l.onec_ref, l.crm_id,
              (SELECT lc.crm_id FROM ${stage('link')} lc WHERE lc.entity = 'counterparties' AND lc.onec_ref = coalesce(oc.owner_ref, oo.counterparty_ref)) AS owner_company
       FROM ${stage('link')} l
       LEFT JOIN ${stage('onec_contact')} oc ON l.entity = 'contacts' AND oc.ref = l.onec_ref
       LEFT JOIN ${stage('onec_order')} oo ON l.entity = 'deals' AND oo.ref = l.onec_ref
       WHERE l.entity = ANY($1::text[]) ORDER BY random() LIMIT $2`,
      [usable, size],
    )) as { entity: SyncEntity; onec_ref: string; crm_id: string; owner_company: string | null }[];
    const known = new Set(
      (
        (await this.db.query(
          `SELECT entity, onec_ref, field FROM discrepancy WHERE run_id = $1 AND field IS NOT NULL`,
          [runId],
        )) as {
          entity: string;
          onec_ref: string;
          field: string;
        }[]
      ).map((r) => `${r.entity}|${r.onec_ref}|${r.field}`),
    );
    let mismatched = 0;
    for (const p of picks) {
      const o = await onec.getOne(ONEC_OF[p.entity].entity, p.onec_ref);
      const c = await crm.getOne(CRM_OF[p.entity].entity, p.crm_id);
      const orec = o?.records[0];
      if (!orec || !c) {
        mismatched++;
        continue;
      }
      const diffs = diffSampled(p.entity, orec, c as Parameters<typeof diffSampled>[2], this.mapping, {
        companyIdOfOwner: p.owner_company,
      });
      if (!diffs.length) continue;
      mismatched++;
      for (const d of diffs) {
        const key = `${p.entity}|${p.onec_ref}|${d.field}`;
        if (known.has(key)) continue;
        known.add(key);
        pending.push({
          kind: d.field === 'stage' ? 'status_mismatch' : 'field_mismatch',
          entity: p.entity,
          severity: KIND_SEVERITY.field_mismatch,
          onecRef: p.onec_ref,
          crmId: p.crm_id,
          field: d.field,
          onecValue: d.onecValue,
          crmValue: d.crmValue,
          detail: m.sampleMismatch(d.field),
        });
      }
    }
    return { size: picks.length, mismatched };
  }

  /** Duplicate clusters from the dedupe module over the staged counterparties and companies. */
  private async findDuplicates(
    runId: string,
    onecOk: boolean,
    crmOk: boolean,
  ): Promise<Partial<Record<'onec' | 'crm' | 'cross', number>>> {
    if (!this.dedupe) throw new SkipCheck('the dedupe module is not loaded');
    if (!onecOk || !crmOk) throw new SkipCheck('a counterparty snapshot is missing');
    const split = (s: string | null) => (s ? s.split(', ') : []);
    const db = this.db;
    async function* pages<T>(sql: string, map: (r: T) => DedupeRecord): AsyncIterable<DedupeRecord> {
      let after = '';
      for (;;) {
        const rows = (await db.query(sql, [after])) as (T & { k: string })[];
        for (const r of rows) yield map(r);
        if (rows.length < 5000) return;
        after = rows[rows.length - 1].k;
      }
    }
    type O = {
      k: string;
      title: string;
      full_name: string;
      inn: string;
      kpp: string;
      ogrn: string;
      phones: string;
      emails: string;
    };
    type C = O & { linked: string | null };
    const onecSrc = pages<O>(
      `SELECT ref AS k, title, full_name, inn, kpp, ogrn, phones, emails FROM ${stage('onec_counterparty')}
       WHERE NOT deletion_mark AND ref > $1 ORDER BY ref LIMIT 5000`,
      (r) => ({
        system: 'onec',
        id: r.k,
        name: r.title,
        fullName: r.full_name,
        inn: r.inn || null,
        kpp: r.kpp || null,
        ogrn: r.ogrn || null,
        phones: split(r.phones),
        emails: split(r.emails),
      }),
    );
    const crmSrc = pages<C>(
      `SELECT c.id AS k, c.title, c.full_name, c.inn, c.kpp, c.ogrn, c.phones, c.emails, l.onec_ref AS linked
       FROM ${stage('crm_company')} c
       LEFT JOIN ${stage('link')} l ON l.entity = 'counterparties' AND l.crm_id = c.id
       WHERE c.id > $1 ORDER BY c.id LIMIT 5000`,
      (r) => ({
        system: 'crm',
        id: r.k,
        name: r.title,
        fullName: r.full_name ?? '',
        inn: r.inn || null,
        kpp: r.kpp || null,
        ogrn: r.ogrn || null,
        phones: split(r.phones),
        emails: split(r.emails),
        linkedTo: r.linked,
      }),
    );
    const result = await this.dedupe.findClusters({ onec: onecSrc, crm: crmSrc });
    const counts: Partial<Record<'onec' | 'crm' | 'cross', number>> = { onec: 0, crm: 0, cross: 0 };
    for (let i = 0; i < result.clusters.length; i += 1000) {
      this.current?.assertOwned();
      const chunk = result.clusters.slice(i, i + 1000);
      await this.db.query(
        `INSERT INTO duplicate_cluster (run_id, scope, score, members, reasons)
         SELECT $1, s, sc, m, r FROM unnest($2::text[], $3::numeric[], $4::jsonb[], $5::jsonb[]) AS t(s, sc, m, r)`,
        [
          runId,
          chunk.map((c) => c.scope),
          chunk.map((c) => c.score),
          chunk.map((c) => JSON.stringify(c.members.map((m) => ({ ...m, url: this.memberUrl(m) })))),
          // Reasons in REPORT_LOCALE, like the items' detail texts (raw values: the report masks them).
          chunk.map((c) => JSON.stringify(c.reasons.map((r) => reasonText(r, this.settings.REPORT_LOCALE)))),
        ],
      );
    }
    for (const c of result.clusters) counts[c.scope] = (counts[c.scope] ?? 0) + 1;
    return counts;
  }
}


function invalidItem(
  entity: ReconcileEntity,
  ref: string,
  field: string,
  value: string,
  reason: string,
  m: ReconcileMessages,
): PendingItem {
  return {
    kind: 'invalid_value',
    entity,
    severity: KIND_SEVERITY.invalid_value,
    onecRef: ref,
    crmId: null,
    field,
    onecValue: value,
    crmValue: null,
    detail: m.invalidValue(field, value, reason),
  };
}

function malformedItem(
  entity: ReconcileEntity,
  system: 'onec',
  ref: string | null,
  reason: string,
  m: ReconcileMessages,
): PendingItem {
  return {
    kind: 'invalid_value',
    entity,
    severity: 'warning',
    onecRef: ref,
    crmId: null,
    field: null,
    onecValue: null,
    crmValue: null,
    detail: m.malformed(system, reason),
  };
}

function crmMalformedItem(
  entity: ReconcileEntity,
  bad: CrmMalformedRecord,
  m: ReconcileMessages,
): PendingItem {
  return {
    kind: 'invalid_value',
    entity,
    severity: 'warning',
    onecRef: null,
    crmId: bad.id,
    field: null,
    onecValue: null,
    crmValue: null,
    detail: m.malformed('crm', bad.reason),
  };
}

/** Buffers JS-built discrepancy items and writes them with multi-row inserts. */
class PendingWriter {
  private items: PendingItem[] = [];
  constructor(
    private readonly db: DataSource,
    private readonly runId: string,
    /** Throws when the run is no longer this instance's (nothing more is written). */
    private readonly assertOwned: () => void,
  ) {}

  push(item: PendingItem): void {
    this.items.push(item);
  }

  async flushIfFull(): Promise<void> {
    if (this.items.length >= 2000) await this.flush();
  }

  async flush(): Promise<void> {
    const items = this.items;
    this.items = [];
    if (!items.length) return;
    this.assertOwned();
    const col = <K extends keyof PendingItem>(k: K) => items.map((i) => i[k]);
    await this.db.query(
      `INSERT INTO discrepancy (run_id, kind, entity, severity, onec_ref, crm_id, field, onec_value, crm_value, detail)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
      [
        this.runId,
        col('kind'),
        col('entity'),
        col('severity'),
        col('onecRef'),
        col('crmId'),
        col('field'),
        col('onecValue'),
        col('crmValue'),
        col('detail'),
      ],
    );
  }
}
