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
import type { CrmRequisite, CrmWritableEntity, CrmWrite, CrmWriteResult } from '../crm/crm.types.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { ONEC_PORT, type OneCPort } from '../onec/onec.port.js';
import type { OneCRecordMap } from '../onec/onec.types.js';
import { QueueService } from '../queue/queue.service.js';
import { RunLifecycle, type RunHandle } from '../runs/run-lifecycle.js';
import { RunLostError } from '../runs/run.types.js';
import type { CreateRunInput } from '../runs/run.repository.js';
import { planSync, type CrmCurrent, type PlanLink, type SyncPlan } from './plan-sync.js';
import { CRM_BATCH, FETCH_CHUNK, MAX_ATTEMPTS, retryBackoffMs, SYNC_RETRY_QUEUE } from './sync.constants.js';
import {
  emptyStats,
  SYNC_RUNS,
  SyncStore,
  toPlanLink,
  type EntityStats,
  type LinkRow,
  type LinkWrite,
  type SyncRunRow,
  type SyncStats,
} from './sync-store.js';

export const CRM_ENTITY: Record<SyncEntity, CrmWritableEntity> = {
  counterparties: 'companies',
  contacts: 'contacts',
  deals: 'deals',
};

export interface SyncRequest {
  trigger: RunTrigger;
  entities?: SyncEntity[];
  full?: boolean;
  /** Schedule slot (scheduled runs): one run per slot across instances. */
  slot?: Date | null;
}

/** A test/crash hook: called at named points of the apply step (sync-once kills itself there). */
export type SyncHook = (
  point: 'after-crm-batch' | 'after-link-commit' | 'after-requisite-batch',
  info: { entity: SyncEntity; batch: number },
) => void | Promise<void>;

class FatalRunError extends Error {}

/**
 * One-way sync 1C → CRM: per entity in link order (counterparties → contacts → deals), a version scan
 * against entity_link, a fetch of the new/changed records, the pure planner, and the CRM writes in
 * batches of ≤ 50 with the link stored right after each batch answer. DataVersion is stored only once
 * every write of a record succeeded, so a crash at any point is completed by the next run
 * (find-by-origin before every create: no duplicates).
 */
@Injectable()
export class SyncRunnerService {
  private readonly log = new Logger(SyncRunnerService.name);
  readonly store: SyncStore;
  /** Create, start, ownership checks, finish and recovery of sync runs (shared with reconciliation). */
  readonly runs: RunLifecycle<SyncRunRow>;
  /** Test hook (crash points). */
  hook: SyncHook | null = null;

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
    this.runs = new RunLifecycle<SyncRunRow>(db, SYNC_RUNS, {
      jobState: queue ? (name, id) => queue.jobState(name, id) : undefined,
      warn: (m) => this.log.warn(m),
    });
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
      if (!this.crm) throw new FatalRunError('the CRM is not configured (BITRIX24_WEBHOOK_URL)');
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
          ? `the CRM refused the sync (${e.code}): ${describeError(e)}; check the webhook URL and its scopes`
          : describeError(e);
      this.log.error(`sync run ${runId} failed: ${error}`);
    }
    if (!(await handle.finish(status, error, { stats: JSON.stringify(stats) }))) {
      this.log.warn(`sync run ${runId} ended (${status}) after another instance had recovered it`);
      return;
    }
    this.log.log(`sync run ${runId} finished: ${status} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
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

  private async syncEntity(
    run: RunHandle<SyncRunRow>,
    entity: SyncEntity,
    full: boolean,
    s: EntityStats,
  ): Promise<void> {
    const runId = run.id;
    const links = await this.store.links(entity);
    const dead = await this.store.deadVersions(entity);
    const skipped = full
      ? new Map<string, { dataVersion: string; waitsFor: string | null }>()
      : await this.store.skipped(entity);
    const companyLinks =
      entity === 'counterparties' ? undefined : await this.store.crmIdsByRef('counterparties');
    const seen = new Map<string, string>();
    for await (const page of this.onec.scanVersions({ entity }))
      for (const v of page) seen.set(v.ref, v.dataVersion);
    s.scanned = seen.size;
    const todo: string[] = [];
    for (const [ref, dv] of seen) {
      if (dead.has(ref) && dead.get(ref) === dv) {
        this.count(entity, s, 'skipped', 1);
        continue;
      }
      const link = links.get(ref);
      const sk = skipped.get(ref);
      // Skipped at this version: not re-read, unless it waited for a counterparty that is linked now.
      if (!full && !link && sk && sk.dataVersion === dv && !(sk.waitsFor && companyLinks?.has(sk.waitsFor))) {
        this.count(entity, s, 'unchanged', 1);
        continue;
      }
      if (full || !link || link.data_version !== dv) todo.push(ref);
      else this.count(entity, s, 'unchanged', 1);
    }
    // Linked records that vanished from 1C: flagged, never deleted in the CRM.
    const vanished = [...links.values()]
      .filter((l) => !seen.has(l.onec_ref) && l.flagged_at === null)
      .map((l) => l.onec_ref);
    await this.flagVanished(run, entity, await this.goneFromOneC(entity, vanished), links);
    // Find-by-origin before creating is needed only when the CRM holds records carrying our origin:
    // on a portal with none (a first sync), no earlier create can be hiding, and this run is the only
    // writer (one run at a time), so the per-record lookups are skipped. One count request per entity.
    const lookups = todo.some((r) => !links.has(r)) && (await this.originCount(entity)) > 0;
    let batchNo = 0;
    for (let i = 0; i < todo.length; i += FETCH_CHUNK) {
      const refs = todo.slice(i, i + FETCH_CHUNK);
      const read = await this.onec.fetchByKeys(entity, refs);
      const got = new Set(read.records.map((r) => r.ref));
      const malformed = read.malformed.filter((m) => m.ref);
      if (malformed.length) {
        this.count(entity, s, 'failed', malformed.length);
        await this.fail(
          runId,
          entity,
          malformed.map((m) => ({
            ref: m.ref!,
            dataVersion: seen.get(m.ref!) ?? null,
            error: `unreadable 1C record: ${m.reason}`,
          })),
        );
      }
      const bad = new Set(malformed.map((m) => m.ref));
      await this.flagVanished(
        run,
        entity,
        refs.filter((r) => !got.has(r) && !bad.has(r) && links.has(r)),
        links,
      );
      try {
        batchNo = await this.processChunk(
          run,
          entity,
          read.records,
          links,
          companyLinks,
          s,
          batchNo,
          lookups,
        );
      } catch (e) {
        // A CRM read or batch that still failed after the adapter's retries: this chunk's records are
        // retried later (their DataVersion is not stored); the run goes on. Fatal errors stop it.
        if (!(e instanceof CrmError) || e.fatal) throw e;
        this.log.warn(
          `sync run ${runId} ${entity}: a chunk of ${read.records.length} record(s) failed: ${describeError(e)}`,
        );
        this.count(entity, s, 'failed', read.records.length);
        await this.fail(
          runId,
          entity,
          read.records.map((r) => ({ ref: r.ref, dataVersion: r.dataVersion, error: describeError(e) })),
        );
      }
      // Ownership and progress, once per chunk (the apply step checks again before each CRM batch).
      await run.check();
    }
    this.metrics?.syncDeadLetters.set({ entity }, (await this.store.deadLetters(entity)).length);
    this.metrics?.syncConflictsOpen.set({ entity }, await this.store.openConflictCount(entity));
  }

  /** CRM records carrying our origin; when the count cannot be read, lookups stay on (the safe side). */
  private async originCount(entity: SyncEntity): Promise<number> {
    try {
      return await this.crm!.count(CRM_ENTITY[entity], { originatorId: this.mapping.originatorId });
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
   * Linked records gone from 1C: flagged (never deleted in the CRM). With a deletion marker the CRM
   * record is marked first; one the CRM no longer has is flagged as is; one whose marking failed stays
   * unflagged and is tried again by the next run.
   */
  private async flagVanished(
    run: RunHandle<SyncRunRow>,
    entity: SyncEntity,
    refs: string[],
    links: Map<string, LinkRow>,
  ): Promise<void> {
    const runId = run.id;
    if (!refs.length || this.mapping.deletions !== 'flag') return;
    let flag = refs;
    const marker = this.mapping.deletionMarker;
    if (marker) {
      flag = [];
      const ce = CRM_ENTITY[entity];
      for (let i = 0; i < refs.length; i += CRM_BATCH) {
        const writes: CrmWrite[] = refs.slice(i, i + CRM_BATCH).map((ref) => ({
          op: 'update',
          key: ref,
          entity: ce,
          id: links.get(ref)!.crm_id,
          fields: { userFields: { [marker.field]: marker.value } },
        }));
        await run.check();
        for (const r of await this.applyOrFail(writes)) {
          if (r.ok || r.error.code === CrmErrorCode.NOT_FOUND) flag.push(r.key);
          else if (r.error.fatal) throw r.error;
        }
      }
      if (flag.length < refs.length)
        this.log.warn(
          `sync run ${runId} ${entity}: ${refs.length - flag.length} record(s) gone from 1C could not be marked in the CRM; tried again next run`,
        );
    }
    await this.store.flag(
      entity,
      flag.map((ref) => ({ ref, dataVersion: null })),
    );
    if (flag.length)
      this.log.warn(
        `sync run ${runId} ${entity}: ${flag.length} linked record(s) gone from 1C flagged (CRM records kept)`,
      );
  }

  private async fail(
    runId: string,
    entity: SyncEntity,
    items: { ref: string; dataVersion: string | null; error: string }[],
  ): Promise<void> {
    if (!items.length) return;
    const res = await this.store.recordFailures(runId, entity, items, MAX_ATTEMPTS, retryBackoffMs);
    const deadNow = res.filter((r) => r.dead).length;
    if (deadNow)
      this.log.error(
        `sync run ${runId} ${entity}: ${deadNow} record(s) gave up after ${MAX_ATTEMPTS} attempts (dead letters)`,
      );
    const pending = res.filter((r) => !r.dead);
    if (pending.length && this.queue) {
      const attempt = Math.min(...pending.map((r) => r.attempts));
      try {
        await this.queue.send(
          SYNC_RETRY_QUEUE,
          { entity },
          {
            startAfter: Math.ceil(retryBackoffMs(attempt) / 1000),
            singletonKey: `sync-retry-${entity}`,
            retryLimit: 0,
          },
        );
      } catch (e) {
        this.log.warn(`sync run ${runId}: retry job not enqueued: ${describeError(e)}`);
      }
    }
  }

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
    const unlinked = lookups
      ? records.filter((r) => !links.has(r.ref) && !r.deletionMark).map((r) => r.ref)
      : [];
    if (unlinked.length) {
      const found = await crm.findByOrigin(ce, this.mapping.originatorId, unlinked);
      const adopt: LinkWrite[] = [];
      for (const [ref, ids] of found) if (ids.length) adopt.push({ ref, crmId: ids[0], dataVersion: null });
      if (adopt.length) {
        await this.store.saveLinks(entity, adopt);
        for (const a of adopt)
          links.set(a.ref, {
            entity,
            onec_ref: a.ref,
            crm_id: a.crmId,
            data_version: null,
            pushed_hash: null,
            pushed_values: {},
            crm_requisite_id: null,
            flagged_at: null,
            onec_seen_at: null,
            created_at: new Date(),
            updated_at: new Date(),
          });
        this.log.log(
          `sync run ${runId} ${entity}: ${adopt.length} record(s) found in the CRM by origin and linked`,
        );
      }
    }
    const planLinks = new Map<string, PlanLink>();
    for (const r of records) {
      const l = links.get(r.ref);
      if (l) planLinks.set(r.ref, toPlanLink(l));
    }
    const ids = [...planLinks.values()].map((l) => l.crmId);
    const current = new Map<string, CrmCurrent>();
    if (ids.length) {
      // One call: the adapter packs 50 ids per list command and 50 commands per batch request.
      const got = await crm.getMany(ce, ids);
      for (const c of got.records) current.set(c.id, c as CrmCurrent);
    }
    let requisites: Map<string, CrmRequisite> | undefined;
    if (entity === 'counterparties' && ids.length) {
      requisites = new Map();
      const refByCompany = new Map([...planLinks].map(([ref, l]) => [l.crmId, ref]));
      for await (const page of crm.readRequisites({ companyIds: ids }))
        for (const rq of page.records)
          if (rq.xmlId && rq.xmlId === refByCompany.get(rq.companyId)) requisites.set(rq.companyId, rq);
    }
    const plan = planSync({
      entity,
      records,
      links: planLinks,
      crm: current,
      requisites,
      companyLinks,
      mapping: this.mapping,
      now: new Date(),
    });
    return this.apply(run, entity, plan, s, batchNo);
  }

  /** applyWrites; a whole batch that failed after retries (non-fatal) becomes one failure per command. */
  private async applyOrFail(writes: CrmWrite[]): Promise<CrmWriteResult[]> {
    try {
      return await this.crm!.applyWrites(writes);
    } catch (e) {
      if (!(e instanceof CrmError) || e.fatal) throw e;
      return writes.map((w) => ({ key: w.key, ok: false as const, error: e }));
    }
  }

  private async apply(
    run: RunHandle<SyncRunRow>,
    entity: SyncEntity,
    plan: SyncPlan,
    s: EntityStats,
    batchNo: number,
  ): Promise<number> {
    const runId = run.id;
    const ce = CRM_ENTITY[entity];
    if (plan.invalid.length)
      this.log.warn(
        `sync run ${runId} ${entity}: ${plan.invalid.length} invalid value(s) in 1C (${plan.invalid.filter((i) => i.pushed).length} pushed as is)`,
      );
    if (plan.crmEdits.length)
      this.log.warn(
        `sync run ${runId} ${entity}: ${plan.crmEdits.length} CRM edit(s) of 1C-owned fields detected (${[...new Set(plan.crmEdits.map((e) => e.field))].join(', ')})`,
      );
    if (plan.conflict.length) {
      await this.store.openConflicts(entity, plan.conflict);
      this.log.warn(
        `sync run ${runId} ${entity}: ${plan.conflict.length} field conflict(s) opened (manual strategy)`,
      );
    }
    // Skips: final ones remembered at their version; "not linked yet" ones retried by the next run.
    await this.store.saveSkipped(
      entity,
      plan.skip.map((k) => ({
        ref: k.ref,
        dataVersion: k.dataVersion,
        reason: k.reason,
        waitsFor: k.waitsFor ?? null,
      })),
    );
    this.count(entity, s, 'skipped', plan.skip.length);
    // Records that reached a final state here are no longer failures.
    await this.store.clearFailures(entity, [
      ...plan.skip.filter((k) => !k.retry).map((k) => k.ref),
      ...plan.flag.map((f) => f.ref),
    ]);
    if (plan.flag.length) {
      await this.store.flag(
        entity,
        plan.flag.map((f) => ({ ref: f.ref, dataVersion: f.dataVersion })),
      );
      this.count(entity, s, 'unchanged', plan.flag.length);
      const fresh = plan.flag.filter((f) => !f.renewed).length;
      if (fresh)
        this.log.warn(
          `sync run ${runId} ${entity}: ${fresh} deletion-marked record(s) flagged (CRM records kept)`,
        );
    }
    if (plan.unchanged.length) {
      await this.store.saveLinks(
        entity,
        plan.unchanged.map((u) => ({
          ref: u.ref,
          crmId: u.crmId,
          dataVersion: u.dataVersion,
          pushedValues: u.pushedValues,
          pushedHash: u.pushedHash,
          requisiteId: u.requisiteId ?? null,
        })),
      );
      await this.store.clearFailures(
        entity,
        plan.unchanged.map((u) => u.ref),
      );
      this.count(entity, s, 'unchanged', plan.unchanged.length);
    }
    // ---- phase 1: the records themselves ----
    type Item = {
      kind: 'create' | 'update';
      ref: string;
      dataVersion: string;
      pushedValues: Record<string, string>;
      pushedHash: string;
      requisite?: import('../crm/crm.types.js').RequisiteFields;
      requisiteId?: string | null;
      flag?: boolean;
      write: CrmWrite | null;
    };
    const items: Item[] = [
      ...plan.create.map((c) => ({
        kind: 'create' as const,
        ref: c.ref,
        dataVersion: c.dataVersion,
        pushedValues: c.pushedValues,
        pushedHash: c.pushedHash,
        requisite: c.requisite,
        requisiteId: null,
        write: {
          op: 'create',
          key: c.ref,
          entity: ce,
          origin: { originatorId: this.mapping.originatorId, originId: c.ref },
          fields: c.fields,
        } as CrmWrite,
      })),
      ...plan.update.map((u) => ({
        kind: 'update' as const,
        ref: u.ref,
        dataVersion: u.dataVersion,
        pushedValues: u.pushedValues,
        pushedHash: u.pushedHash,
        requisite: u.requisite,
        requisiteId: u.requisiteId ?? null,
        flag: u.flag,
        write: Object.keys(u.fields).length
          ? ({
              op: 'update',
              key: u.ref,
              entity: ce,
              id: u.crmId,
              fields: u.fields,
              current: u.current,
            } as CrmWrite)
          : null,
      })),
    ];
    const crmIdOf = new Map<string, string>(plan.update.map((u) => [u.ref, u.crmId]));
    const needRequisite: Item[] = [];
    for (let i = 0; i < items.length; i += CRM_BATCH) {
      const batch = items.slice(i, i + CRM_BATCH);
      const writes = batch.filter((b) => b.write).map((b) => b.write!);
      // A run another instance recovered writes nothing more (checked before every CRM batch).
      if (writes.length) await run.check();
      const results = writes.length ? await this.applyOrFail(writes) : [];
      batchNo++;
      await this.hook?.('after-crm-batch', { entity, batch: batchNo });
      const byKey = new Map<string, CrmWriteResult>(results.map((r) => [r.key, r]));
      const save: LinkWrite[] = [];
      const failed: { ref: string; dataVersion: string | null; error: string }[] = [];
      let created = 0;
      let updated = 0;
      for (const b of batch) {
        const r = b.write
          ? byKey.get(b.ref)
          : ({ ok: true, id: crmIdOf.get(b.ref)!, key: b.ref } as CrmWriteResult);
        if (!r) {
          failed.push({ ref: b.ref, dataVersion: b.dataVersion, error: 'no answer for the command' });
          continue;
        }
        if (!r.ok) {
          if (r.error.fatal) throw r.error;
          failed.push({ ref: b.ref, dataVersion: b.dataVersion, error: describeError(r.error) });
          continue;
        }
        if (r.duplicates?.length)
          this.log.warn(
            `sync run ${runId} ${entity}: ${r.duplicates.length} extra CRM record(s) carry the origin of one 1C record`,
          );
        crmIdOf.set(b.ref, r.id);
        const pending = b.requisite !== undefined;
        save.push({
          ref: b.ref,
          crmId: r.id,
          dataVersion: pending ? null : b.dataVersion,
          pushedValues: b.pushedValues,
          pushedHash: b.pushedHash,
          requisiteId: b.requisiteId,
        });
        if (pending) needRequisite.push(b);
        // A create whose answer was lost and that the adapter found by origin was still made by this call.
        if (b.kind === 'create') created++;
        else updated++;
      }
      // The link is stored right after the batch answer, before the next batch.
      await this.store.saveLinks(entity, save);
      await this.hook?.('after-link-commit', { entity, batch: batchNo });
      const flagged = batch.filter((b) => b.flag && !failed.some((f) => f.ref === b.ref));
      if (flagged.length)
        await this.store.flag(
          entity,
          flagged.map((f) => ({ ref: f.ref, dataVersion: f.dataVersion })),
        );
      await this.store.clearFailures(
        entity,
        save.filter((x) => x.dataVersion !== null).map((x) => x.ref),
      );
      this.count(entity, s, 'created', created);
      this.count(entity, s, 'updated', updated);
      this.count(entity, s, 'failed', failed.length);
      await this.fail(runId, entity, failed);
    }
    // ---- phase 2: requisites (counterparties), once the company id is known ----
    for (let i = 0; i < needRequisite.length; i += CRM_BATCH) {
      const batch = needRequisite.slice(i, i + CRM_BATCH);
      const writes: CrmWrite[] = batch.map((b) =>
        b.requisiteId
          ? { op: 'updateRequisite', key: b.ref, id: b.requisiteId, fields: b.requisite! }
          : { op: 'createRequisite', key: b.ref, companyId: crmIdOf.get(b.ref)!, fields: b.requisite! },
      );
      await run.check();
      const results = await this.applyOrFail(writes);
      batchNo++;
      await this.hook?.('after-requisite-batch', { entity, batch: batchNo });
      const byKey = new Map(results.map((r) => [r.key, r]));
      const save: LinkWrite[] = [];
      const failed: { ref: string; dataVersion: string | null; error: string }[] = [];
      for (const b of batch) {
        const r = byKey.get(b.ref);
        if (r?.ok)
          save.push({
            ref: b.ref,
            crmId: crmIdOf.get(b.ref)!,
            dataVersion: b.dataVersion,
            pushedValues: b.pushedValues,
            pushedHash: b.pushedHash,
            requisiteId: r.id,
          });
        else {
          if (r && !r.ok && r.error.fatal) throw r.error;
          failed.push({
            ref: b.ref,
            dataVersion: b.dataVersion,
            error: r && !r.ok ? `requisite: ${describeError(r.error)}` : 'requisite: no answer',
          });
        }
      }
      await this.store.saveLinks(entity, save);
      await this.store.clearFailures(
        entity,
        save.map((x) => x.ref),
      );
      if (failed.length) {
        // The record itself was counted as created/updated; its requisite failed.
        this.count(entity, s, 'failed', failed.length);
        await this.fail(runId, entity, failed);
      }
    }
    return batchNo;
  }
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
