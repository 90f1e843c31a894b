import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { describeError } from '../common/describe-error.js';
import {
  SYNC_ENTITIES,
  type RunStatus,
  type RunTrigger,
  type SyncEntity,
  type SyncResult,
} from '../common/vocabulary.js';
import { CrmError, CrmErrorCode } from '../crm/crm.error.js';
import { CRM_PORT, type CrmPort } from '../crm/crm.port.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { ONEC_PORT, type OneCPort } from '../onec/onec.port.js';
import type { OneCRecordMap } from '../onec/onec.types.js';
import { QueueService } from '../queue/queue.service.js';
import { RunLifecycle, type RunHandle } from '../runs/run-lifecycle.js';
import { RunLostError } from '../runs/run.types.js';
import type { CreateRunInput } from '../runs/run.repository.js';
import { CRM_ENTITY, PlanApplier, SYNC_HOOK_POINTS, type RecordFailure, type SyncHook } from './plan-applier.js';
import { planSync, type CrmCurrent, type PlanLink } from './plan-sync.js';
import { selectRecords } from './select-records.js';
import { FETCH_CHUNK, MAX_ATTEMPTS, retryBackoffMs, SYNC_RETRY_QUEUE } from './sync.constants.js';
import {
  emptyStats,
  SYNC_RUNS,
  SyncStore,
  toPlanLink,
  type EntityStats,
  type LinkRow,
  type SyncRunRow,
  type SyncStats,
} from './sync-store.js';

export { CRM_ENTITY, SYNC_HOOK_POINTS, type SyncHook };

export interface SyncRequest {
  trigger: RunTrigger;
  entities?: SyncEntity[];
  full?: boolean;
  /** Schedule slot (scheduled runs): one run per slot across instances. */
  slot?: Date | null;
}

class FatalRunError extends Error {}

/**
 * One-way sync 1C → CRM, per entity in link order (counterparties → contacts → deals): load (links, the
 * version scan) → select what to read again (select-records.ts, pure) → per chunk: fetch the records, read
 * the current CRM records of the linked ones → plan (plan-sync.ts, pure) → apply (plan-applier.ts). A
 * record's DataVersion is stored only once all of its writes succeeded, so a crash at any point is
 * completed by the next run; a create is looked up by its 1C key first whenever the CRM may hold one.
 */
@Injectable()
export class SyncRunnerService {
  private readonly log = new Logger(SyncRunnerService.name);
  readonly store: SyncStore;
  private readonly applier: PlanApplier | null;
  /** Create, start, ownership checks, finish and recovery of sync runs (shared with reconciliation). */
  readonly runs: RunLifecycle<SyncRunRow>;
  /** Test hook (crash points). */
  hook: SyncHook | null = null;
  private readonly finished: ((run: { id: string; status: RunStatus }) => void)[] = [];

  constructor(
    @Inject(DataSource) db: DataSource,
    @Inject(MAPPING) private readonly mapping: Mapping,
    @Inject(ONEC_PORT) private readonly onec: OneCPort,
    @Optional() @Inject(CRM_PORT) private readonly crm: CrmPort | null,
    @Optional() @Inject(SverkaMetrics) private readonly metrics?: SverkaMetrics | null,
    @Optional() @Inject(AuditService) private readonly audit?: AuditService | null,
    @Optional() @Inject(QueueService) private readonly queue?: QueueService | null,
  ) {
    this.store = new SyncStore(db);
    this.applier = crm ? new PlanApplier(this.store, crm, mapping, this.log) : null;
    this.runs = new RunLifecycle<SyncRunRow>(db, SYNC_RUNS, {
      jobState: queue ? (name, id) => queue.jobState(name, id) : undefined,
      warn: (m) => this.log.warn(m),
    });
  }

  /** Calls `listener` after each run this instance finishes (src/todos/ brings the CRM to-dos in step). */
  onFinished(listener: (run: { id: string; status: RunStatus }) => void): void {
    this.finished.push(listener);
  }

  /** This instance's name on the runs it owns. */
  get owner(): string {
    return this.runs.owner;
  }

  /** Creates a queued run (ActiveRunError while a live one is active; a dead one is recovered first). */
  async create(req: SyncRequest): Promise<{ run: SyncRunRow; created: boolean }> {
    return this.runs.create(syncRunInput(req));
  }

  /** Creates a run and executes it in this process; returns the finished run. */
  async runNow(req: SyncRequest): Promise<SyncRunRow> {
    const { run } = await this.create(req);
    await this.execute(run.id);
    return (await this.store.getRun(run.id))!;
  }

  /** Executes a queued run (no-op when another worker took it). */
  async execute(runId: string): Promise<void> {
    const stats: SyncStats = {};
    const handle = await this.runs.begin(runId, () => ({ stats: JSON.stringify(stats) }));
    if (!handle) return;
    const run = handle.run;
    const startedAt = Date.now();
    this.log.log(
      `sync run ${runId} started (${run.trigger}, ${run.full_sync ? 'full' : 'incremental'}: ${run.entities.join(', ')})`,
    );
    await this.audit?.record({
      action: 'sync.run.start',
      target: runId,
      outcome: 'ok',
      detail: { trigger: run.trigger, full: run.full_sync, entities: run.entities },
    });
    let status: RunStatus = 'succeeded';
    let error: string | null = null;
    try {
      if (!this.crm) throw new FatalRunError('the CRM is not configured (CRM_KIND and its settings)');
      for (const entity of run.entities) {
        const s = emptyStats();
        stats[entity] = s;
        const t0 = Date.now();
        await this.syncEntity(handle, entity, run.full_sync, s);
        this.metrics?.syncRunDuration.observe({ entity }, (Date.now() - t0) / 1000);
        if (s.failed === 0) this.metrics?.syncLastSuccess.set({ entity }, Math.floor(Date.now() / 1000));
        this.log.log(
          `sync run ${runId} ${entity}: scanned ${s.scanned}, created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, skipped ${s.skipped}, failed ${s.failed}`,
        );
      }
      if (Object.values(stats).some((s) => s && s.failed > 0)) status = 'partial';
    } catch (e) {
      if (e instanceof RunLostError) {
        // Another instance recovered the run: it is not ours to finish, and nothing more is written.
        this.log.warn(`sync run ${runId} stopped: ${e.message}`);
        await handle.close();
        await this.audit?.record({
          action: 'sync.run.lost',
          target: runId,
          outcome: 'failed',
          detail: { stats },
        });
        return;
      }
      status = 'failed';
      error =
        e instanceof CrmError && e.fatal
          ? `the CRM refused the sync (${e.code}): ${describeError(e)}; check the CRM's address, key and rights`
          : describeError(e);
      this.log.error(`sync run ${runId} failed: ${error}`);
    }
    if (!(await handle.finish(status, error, { stats: JSON.stringify(stats) }))) {
      this.log.warn(`sync run ${runId} ended (${status}) after another instance had recovered it`);
      return;
    }
    this.log.log(`sync run ${runId} finished: ${status} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
    for (const l of this.finished) {
      try {
        l({ id: runId, status });
      } catch (e) {
        this.log.warn(`sync run ${runId}: a listener failed: ${describeError(e)}`);
      }
    }
    await this.audit?.record({
      action: 'sync.run.finish',
      target: runId,
      outcome: status,
      detail: { stats, error },
    });
  }

  private count(entity: SyncEntity, s: EntityStats, result: SyncResult, n: number): void {
    if (n <= 0) return;
    s[result] += n;
    this.metrics?.syncRecords.inc({ entity, result }, n);
  }

  private async syncEntity(run: RunHandle<SyncRunRow>, entity: SyncEntity, full: boolean, s: EntityStats): Promise<void> {
    const runId = run.id;
    const links = await this.store.links(entity);
    const companyLinks = entity === 'counterparties' ? undefined : await this.store.crmIdsByRef('counterparties');
    const scan = new Map<string, string>();
    for await (const page of this.onec.scanVersions({ entity })) for (const v of page) scan.set(v.ref, v.dataVersion);
    s.scanned = scan.size;
    const sel = selectRecords({
      scan,
      links: new Map([...links].map(([ref, l]) => [ref, { dataVersion: l.data_version, flagged: l.flagged_at !== null }])),
      dead: await this.store.deadVersions(entity),
      skipped: full ? new Map() : await this.store.skipped(entity),
      linkedCounterparties: companyLinks ? new Set(companyLinks.keys()) : undefined,
      full,
    });
    this.count(entity, s, 'unchanged', sel.unchanged);
    this.count(entity, s, 'skipped', sel.dead);
    // Linked records that vanished from 1C: flagged, never deleted in the CRM.
    await this.flagVanished(run, entity, await this.goneFromOneC(entity, sel.vanished), links);
    // A create is looked up by its 1C key first only when the CRM may hold records of ours: on a CRM with
    // none (a first sync), no earlier create can be hiding, and this run is the only writer (it owns the
    // run; see src/runs/). One count request per entity.
    const lookups = sel.todo.some((r) => !links.has(r)) && (await this.sourceCount(entity)) > 0;
    let batchNo = 0;
    for (let i = 0; i < sel.todo.length; i += FETCH_CHUNK) {
      const refs = sel.todo.slice(i, i + FETCH_CHUNK);
      const read = await this.onec.fetchByKeys(entity, refs);
      const got = new Set(read.records.map((r) => r.ref));
      const malformed = read.malformed.filter((m) => m.ref);
      if (malformed.length) {
        this.count(entity, s, 'failed', malformed.length);
        await this.fail(
          runId,
          entity,
          malformed.map((m) => ({ ref: m.ref!, dataVersion: scan.get(m.ref!) ?? null, error: `unreadable 1C record: ${m.reason}` })),
        );
      }
      const bad = new Set(malformed.map((m) => m.ref));
      await this.flagVanished(run, entity, refs.filter((r) => !got.has(r) && !bad.has(r) && links.has(r)), links);
      try {
        batchNo = await this.processChunk(run, entity, read.records, links, companyLinks, s, batchNo, lookups);
      } catch (e) {
        // A CRM read or batch that still failed after the adapter's retries: this chunk's records are
        // retried later (their DataVersion is not stored); the run goes on. Fatal errors stop it.
        if (!(e instanceof CrmError) || e.fatal) throw e;
        this.log.warn(`sync run ${runId} ${entity}: a chunk of ${read.records.length} record(s) failed: ${describeError(e)}`);
        this.count(entity, s, 'failed', read.records.length);
        await this.fail(runId, entity, read.records.map((r) => ({ ref: r.ref, dataVersion: r.dataVersion, error: describeError(e) })));
      }
      // Ownership and progress, once per chunk (the applier checks again before each batch of writes).
      await run.check();
    }
    this.metrics?.syncDeadLetters.set({ entity }, (await this.store.deadLetters(entity)).length);
    this.metrics?.syncConflictsOpen.set({ entity }, await this.store.openConflictCount(entity));
  }

  /** CRM records carrying our 1C key; when the count cannot be read, lookups stay on (the safe side). */
  private async sourceCount(entity: SyncEntity): Promise<number> {
    try {
      return await this.crm!.count(CRM_ENTITY[entity], { source: this.mapping.source });
    } catch (e) {
      if (!(e instanceof CrmError) || e.fatal) throw e;
      return Number.POSITIVE_INFINITY;
    }
  }

  /**
   * Of the linked records missing from the scan, those 1C no longer has. With `deals.ordersSince` the scan
   * sees only orders from that date, so an order missing from it is read by key: one that is still
   * there is older than the window (the window moved, or its date did) and is left alone, not flagged.
   */
  private async goneFromOneC(entity: SyncEntity, refs: string[]): Promise<string[]> {
    if (entity !== 'deals' || !this.mapping.deals.ordersSince || !refs.length) return refs;
    const gone: string[] = [];
    for (let i = 0; i < refs.length; i += FETCH_CHUNK) {
      const chunk = refs.slice(i, i + FETCH_CHUNK);
      const read = await this.onec.fetchByKeys(entity, chunk);
      const there = new Set([...read.records.map((r) => r.ref), ...read.malformed.map((m) => m.ref)]);
      gone.push(...chunk.filter((r) => !there.has(r)));
    }
    return gone;
  }

  /**
   * Linked records gone from 1C: flagged (never deleted in the CRM). A CRM that can carry the "deleted in
   * 1C" flag gets it first; a record the CRM no longer has is flagged as is; one whose flag could not be
   * set stays unflagged and is tried again by the next run.
   */
  private async flagVanished(
    run: RunHandle<SyncRunRow>,
    entity: SyncEntity,
    refs: string[],
    links: Map<string, LinkRow>,
  ): Promise<void> {
    if (!refs.length || this.mapping.deletions !== 'flag') return;
    const runId = run.id;
    let flag = refs;
    const crm = this.crm!;
    if (crm.capabilities.flags) {
      flag = [];
      const ce = CRM_ENTITY[entity];
      for (let i = 0; i < refs.length; i += crm.writeChunk) {
        await run.check();
        const writes = refs
          .slice(i, i + crm.writeChunk)
          .map((ref) => ({ op: 'update' as const, key: ref, entity: ce, id: links.get(ref)!.crm_id, fields: { flagged: true } }));
        let results;
        try {
          results = await crm.applyWrites(writes);
        } catch (e) {
          if (!(e instanceof CrmError) || e.fatal) throw e;
          continue;
        }
        for (const r of results) {
          if (r.ok || r.error.code === CrmErrorCode.NOT_FOUND) flag.push(r.key);
          else if (r.error.fatal) throw r.error;
        }
      }
      if (flag.length < refs.length)
        this.log.warn(
          `sync run ${runId} ${entity}: ${refs.length - flag.length} record(s) gone from 1C could not be flagged in the CRM; tried again next run`,
        );
    }
    await this.store.flag(entity, flag.map((ref) => ({ ref, dataVersion: null })));
    if (flag.length)
      this.log.warn(`sync run ${runId} ${entity}: ${flag.length} linked record(s) gone from 1C flagged (CRM records kept)`);
  }

  private async fail(runId: string, entity: SyncEntity, items: RecordFailure[]): Promise<void> {
    if (!items.length) return;
    const res = await this.store.recordFailures(runId, entity, items, MAX_ATTEMPTS, retryBackoffMs);
    const deadNow = res.filter((r) => r.dead).length;
    if (deadNow)
      this.log.error(`sync run ${runId} ${entity}: ${deadNow} record(s) gave up after ${MAX_ATTEMPTS} attempts (dead letters)`);
    const pending = res.filter((r) => !r.dead);
    if (pending.length && this.queue) {
      const attempt = Math.min(...pending.map((r) => r.attempts));
      try {
        await this.queue.send(
          SYNC_RETRY_QUEUE,
          { entity },
          { startAfter: Math.ceil(retryBackoffMs(attempt) / 1000), singletonKey: `sync-retry-${entity}`, retryLimit: 0 },
        );
      } catch (e) {
        this.log.warn(`sync run ${runId}: retry job not enqueued: ${describeError(e)}`);
      }
    }
  }

  /** Reads the current CRM records of the chunk's linked records, plans, and applies the plan. */
  private async processChunk(
    run: RunHandle<SyncRunRow>,
    entity: SyncEntity,
    records: OneCRecordMap[SyncEntity][],
    links: Map<string, LinkRow>,
    companyLinks: Map<string, string> | undefined,
    s: EntityStats,
    batchNo: number,
    lookups: boolean,
  ): Promise<number> {
    const runId = run.id;
    const crm = this.crm!;
    const ce = CRM_ENTITY[entity];
    // Idempotent creates: an unlinked record may already be in the CRM (a create whose answer or link was lost).
    const unlinked = lookups ? records.filter((r) => !links.has(r.ref) && !r.deletionMark).map((r) => r.ref) : [];
    if (unlinked.length) {
      const found = await crm.findByExternalKey(ce, this.mapping.source, unlinked);
      const adopt = [...found].filter(([, ids]) => ids.length).map(([ref, ids]) => ({ ref, crmId: ids[0], dataVersion: null }));
      if (adopt.length) {
        await this.store.saveLinks(entity, adopt);
        for (const a of adopt) links.set(a.ref, adoptedLink(entity, a.ref, a.crmId));
        this.log.log(`sync run ${runId} ${entity}: ${adopt.length} record(s) found in the CRM by their 1C key and linked`);
      }
    }
    const planLinks = new Map<string, PlanLink>();
    for (const r of records) {
      const l = links.get(r.ref);
      if (l) planLinks.set(r.ref, toPlanLink(l));
    }
    const ids = [...planLinks.values()].map((l) => l.crmId);
    const current = new Map<string, CrmCurrent>();
    // One call: the adapter packs its reads (for companies, their tax details too) into as few requests as it can.
    if (ids.length) for (const c of (await crm.getMany(ce, ids)).records) current.set(c.id, c as CrmCurrent);
    const plan = planSync({
      entity,
      records,
      links: planLinks,
      crm: current,
      companyLinks,
      mapping: this.mapping,
      crmFlags: crm.capabilities.flags,
      now: new Date(),
    });
    return this.applier!.apply(plan, {
      runId,
      entity,
      checkOwned: () => run.check(),
      count: (result, n) => this.count(entity, s, result, n),
      fail: (items) => this.fail(runId, entity, items),
      hook: this.hook,
      batchNo,
    });
  }
}

/** A link row for a record just found in the CRM by its 1C key (planned as an update of that record). */
function adoptedLink(entity: SyncEntity, ref: string, crmId: string): LinkRow {
  return {
    entity,
    onec_ref: ref,
    crm_id: crmId,
    data_version: null,
    pushed_hash: null,
    pushed_values: {},
    flagged_at: null,
    onec_seen_at: null,
    created_at: new Date(),
    updated_at: new Date(),
  };
}

/** The run row a sync request creates. */
export function syncRunInput(req: SyncRequest): CreateRunInput {
  return {
    trigger: req.trigger,
    slot: req.slot ?? null,
    values: { entities: orderEntities(req.entities), full_sync: req.full ?? false },
  };
}

/** The requested entities in link order (default: all). */
export function orderEntities(entities?: readonly SyncEntity[]): SyncEntity[] {
  if (!entities || entities.length === 0) return [...SYNC_ENTITIES];
  return SYNC_ENTITIES.filter((e) => entities.includes(e));
}
