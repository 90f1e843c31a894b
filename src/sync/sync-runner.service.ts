import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
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
import { DEFAULT_FEED_LIMIT, ONEC_FEED_PORT, type OneCFeedPort } from '../onec/feed/onec-feed.port.js';
import type { OneCRecordMap } from '../onec/onec.types.js';
import { QueueService } from '../queue/queue.service.js';
import { RunLifecycle } from '../runs/run-lifecycle.js';
import { RunLostError } from '../runs/run.types.js';
import type { CreateRunInput } from '../runs/run.repository.js';
import {
  CRM_ENTITY,
  PlanApplier,
  SYNC_HOOK_POINTS,
  type RecordFailure,
  type SyncHook,
} from './plan-applier.js';
import { planSync, type CrmCurrent, type PlanLink } from './plan-sync.js';
import { PlanRecorder, planItems } from './dry-run-plan.js';
import { MatchStore, type ReviewItem } from './match-store.js';
import { SyncMatcher } from './sync-matcher.js';
import { counterpartyOf, SyncRunContext } from './sync-run-context.js';
import { ENABLED_ENTITIES } from '../scope/enabled-entities.js';
import { inScope, SCOPE_RESOLVER, type EnabledEntities, type ScopeResolver } from '../scope/scope.types.js';
import type { OneCVersionKeys } from '../onec/onec.types.js';
import {
  feedItemsByEntity,
  selectGiven,
  selectRecords,
  type GivenRef,
  type Selection,
} from './select-records.js';
import {
  FEED_MESSAGES_PER_RUN,
  FETCH_CHUNK,
  MAX_ATTEMPTS,
  retryBackoffMs,
  SYNC_RETRY_QUEUE,
} from './sync.constants.js';
import { FeedStateStore } from './feed-state.store.js';
import {
  emptyStats,
  type FeedMessageLog,
  type FeedRunLog,
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
  /** `feed`: a pull of the 1C change feed — the run reads the records the feed names instead of scanning. */
  trigger: RunTrigger;
  entities?: SyncEntity[];
  full?: boolean;
  /** Schedule slot (scheduled runs): one run per slot across instances. */
  slot?: Date | null;
  /** Plan only: read both systems, write nothing, keep the plan (README.md#going-live). */
  dryRun?: boolean;
}

class FatalRunError extends Error {}

/**
 * Where a run learns what to read for an entity: the version scan (every row's DataVersion), or the
 * records a message of the 1C change feed named — two selections, one fetch → plan → apply path.
 */
type EntitySource =
  | { kind: 'scan'; full: boolean }
  | { kind: 'feed'; given: ReadonlyMap<string, GivenRef>; namedCounterparties: ReadonlySet<string> };

/**
 * One-way sync 1C → CRM, per entity in link order (counterparties → contacts → deals): load (links, the
 * version scan) → select what to read again (select-records.ts, pure) → per chunk: fetch the records, read
 * the current CRM records of the linked ones → plan (plan-sync.ts, pure) → apply (plan-applier.ts). A
 * record's DataVersion is stored only once all of its writes succeeded, so a crash at any point is
 * completed by the next run; a create is looked up by its 1C key first whenever the CRM may hold one.
 *
 * A feed run (`trigger: 'feed'`) takes the same sync slot and applies messages of the 1C change feed
 * (docs/protocols/onec-change-feed.md §4): per message, the named records go through the same path, and
 * the message is acknowledged only once every item is written, skipped, flagged or dead-lettered.
 */
@Injectable()
export class SyncRunnerService implements BeforeApplicationShutdown {
  private readonly log = new Logger(SyncRunnerService.name);
  readonly store: SyncStore;
  private readonly db: DataSource;
  /** What 1C last said about the change feed, and the last acknowledgement. */
  readonly feedState: FeedStateStore;
  private readonly applier: PlanApplier | null;
  /** Create, start, ownership checks, finish and recovery of sync runs (shared with reconciliation). */
  readonly runs: RunLifecycle<SyncRunRow>;
  /** Test hook (crash points). */
  hook: SyncHook | null = null;
  private readonly finished: ((run: { id: string; status: RunStatus }) => void)[] = [];
  /** The review queue of matching (README.md#going-live). */
  readonly matches: MatchStore;
  private readonly matcher: SyncMatcher | null;

  constructor(
    @Inject(DataSource) db: DataSource,
    @Inject(MAPPING) private readonly mapping: Mapping,
    @Inject(ONEC_PORT) private readonly onec: OneCPort,
    @Optional() @Inject(CRM_PORT) private readonly crm: CrmPort | null,
    @Optional() @Inject(SverkaMetrics) private readonly metrics?: SverkaMetrics | null,
    @Optional() @Inject(AuditService) private readonly audit?: AuditService | null,
    @Optional() @Inject(QueueService) private readonly queue?: QueueService | null,
    @Optional() @Inject(ONEC_FEED_PORT) private readonly feed?: OneCFeedPort | null,
    @Optional() @Inject(SCOPE_RESOLVER) private readonly scopes?: ScopeResolver | null,
    /** The entities sync covers (setting SYNC_ENTITIES); all when not given. */
    @Optional() @Inject(ENABLED_ENTITIES) readonly enabled: EnabledEntities = SYNC_ENTITIES,
  ) {
    this.store = new SyncStore(db);
    this.matches = new MatchStore(db);
    this.matcher = crm ? new SyncMatcher(crm, mapping, this.matches) : null;
    this.db = db;
    this.feedState = new FeedStateStore(db);
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
    return this.runs.create(syncRunInput(req, this.enabled));
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
    const feedLog: FeedRunLog = { messages: [] };
    let feedRun = false;
    let ctx: SyncRunContext | null = null;
    const payload = () => ({
      stats: JSON.stringify(stats),
      ...(feedRun ? { feed: JSON.stringify(feedLog) } : {}),
      ...(ctx?.dry ? { plan: JSON.stringify(ctx.dry.summary(ctx.run.run.entities)) } : {}),
    });
    const handle = await this.runs.begin(runId, payload);
    if (!handle) return;
    const run = handle.run;
    feedRun = run.trigger === 'feed';
    ctx = new SyncRunContext(handle, run.dry_run ? new PlanRecorder(this.db, runId) : null, {
      onec: this.onec,
      crm: this.crm,
      store: this.store,
      scopes: this.scopes,
    });
    const dry = ctx.dry !== null;
    const startedAt = Date.now();
    this.log.log(
      `sync run ${runId} started (${run.trigger}, ${run.full_sync ? 'full' : 'incremental'}${dry ? ', dry run: nothing is written' : ''}: ${run.entities.join(', ')})`,
    );
    await this.audit?.record({
      action: 'sync.run.start',
      target: runId,
      outcome: 'ok',
      detail: { trigger: run.trigger, full: run.full_sync, entities: run.entities, dryRun: dry },
    });
    let status: RunStatus = 'succeeded';
    let error: string | null = null;
    try {
      if (!this.crm) throw new FatalRunError('the CRM is not configured (CRM_KIND and its settings)');
      if (run.trigger === 'feed') await this.feedPass(ctx, stats, feedLog);
      else
        for (const entity of run.entities) {
          const s = emptyStats();
          stats[entity] = s;
          const t0 = Date.now();
          await this.syncEntity(ctx, entity, s, { kind: 'scan', full: run.full_sync });
          if (!dry) {
            this.metrics?.syncRunDuration.observe({ entity }, (Date.now() - t0) / 1000);
            if (s.failed === 0) this.metrics?.syncLastSuccess.set({ entity }, Math.floor(Date.now() / 1000));
          }
          this.log.log(
            dry
              ? `sync run ${runId} ${entity} (dry run): ${describePlan(ctx.dry!.counts[entity])}`
              : `sync run ${runId} ${entity}: scanned ${s.scanned}, created ${s.created}, updated ${s.updated}, linked ${s.linked}, held ${s.held}, unchanged ${s.unchanged}, skipped ${s.skipped}, failed ${s.failed}`,
          );
        }
      if (!dry) await this.updateMatchGauge();
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
      if (this.shuttingDown) {
        // The process is stopping (Ctrl-C, SIGTERM) under a run that was executing in it: its database
        // connection may be gone already. The run is recovered at the next start (src/runs/), and what it
        // wrote is completed then; nothing failed.
        this.log.warn(
          `sync run ${runId} interrupted by shutdown (${describeError(e)}); the next start recovers it`,
        );
        await handle.close().catch(() => undefined);
        return;
      }
      status = 'failed';
      error =
        e instanceof CrmError && e.fatal
          ? `the CRM refused the sync (${e.code}): ${describeError(e)}; check the CRM's address, key and rights`
          : describeError(e);
      this.log.error(`sync run ${runId} failed: ${error}`);
    }
    if (!(await handle.finish(status, error, payload()))) {
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

  private shuttingDown = false;

  /** From here on, a run that breaks is one the shutdown cut short, not a failure (logged as such). */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  /** Stats of dry runs: counted on the run, never in the metrics (nothing was synced). */
  private readonly dryStats = new WeakSet<EntityStats>();

  private count(entity: SyncEntity, s: EntityStats, result: SyncResult | 'linked' | 'held', n: number): void {
    if (n <= 0) return;
    s[result] += n;
    if (result !== 'linked' && result !== 'held' && !this.dryStats.has(s))
      this.metrics?.syncRecords.inc({ entity, result }, n);
  }

  /** `sverka_matches_open{entity}`: the review queue now. */
  private async updateMatchGauge(): Promise<void> {
    if (!this.metrics) return;
    const open = await this.matches.openCounts();
    for (const [entity, n] of Object.entries(open)) this.metrics.matchesOpen.set({ entity }, n);
  }

  /**
   * One entity of a run: select what to read (the version scan, or the records a feed message named) →
   * per chunk: fetch by key, plan, apply. Returns the refs left unsettled — failed with retries left,
   * deferred until their backoff passed, or gone from 1C but not yet flagged — which keep a feed message
   * from being acknowledged.
   */
  private async syncEntity(
    ctx: SyncRunContext,
    entity: SyncEntity,
    s: EntityStats,
    source: EntitySource,
  ): Promise<string[]> {
    const run = ctx.run;
    const runId = run.id;
    const feed = source.kind === 'feed';
    if (ctx.dry) this.dryStats.add(s);
    const unsettled: string[] = [];
    let companyLinks =
      entity === 'counterparties' ? undefined : await this.store.crmIdsByRef('counterparties');
    // A dry run plans contacts and orders against the companies its own plan would make or adopt.
    if (companyLinks && ctx.plannedCompanies.size)
      companyLinks = new Map([...companyLinks, ...ctx.plannedCompanies]);
    const linkedCounterparties = companyLinks ? new Set(companyLinks.keys()) : undefined;
    const scope = await ctx.scopeOf();
    const skipped = source.kind === 'scan' && source.full ? new Map() : await this.store.skipped(entity);
    let links: Map<string, LinkRow>;
    let sel: Selection;
    /** The DataVersion the selection saw per ref (recorded with a failure of a record that cannot be read). */
    let versions: ReadonlyMap<string, string | null>;
    if (source.kind === 'scan') {
      links = await this.store.links(entity);
      const scan = new Map<string, string>();
      // Keys (the record's counterparty; a counterparty's folder, INN, KPP) are read when a pilot scope or matching needs them.
      const withKeys =
        scope !== null || (entity === 'counterparties' && !!this.matcher?.on('counterparties'));
      const keys = entity === 'counterparties' && withKeys ? new Map<string, OneCVersionKeys>() : null;
      for await (const page of this.onec.scanVersions({ entity, withKeys }))
        for (const v of page) {
          keys?.set(v.ref, v.keys!);
          // Out of the pilot scope: not there for Sverka — neither read, nor flagged as vanished.
          if (scope && v.keys && !inScope(scope, v.keys.counterpartyRef)) {
            links.delete(v.ref);
            continue;
          }
          scan.set(v.ref, v.dataVersion);
        }
      if (keys) ctx.keysScanned(keys);
      s.scanned = scan.size;
      versions = scan;
      sel = selectRecords({
        scan,
        links: linkStates(links),
        dead: await this.store.deadVersions(entity),
        skipped,
        linkedCounterparties,
        full: source.full,
      });
      // Linked records missing from the scan (with `deals.ordersSince`: read by key to tell gone from older).
      sel.vanished = await this.goneFromOneC(entity, sel.vanished);
    } else {
      const waiting = [...skipped]
        .filter(([, k]) => k.waitsFor && source.namedCounterparties.has(k.waitsFor))
        .map(([r]) => r);
      links = await this.store.linksFor(entity, [...source.given.keys(), ...waiting]);
      s.scanned += source.given.size;
      versions = new Map([...source.given].map(([ref, g]) => [ref, g.dataVersion]));
      const given = selectGiven({
        given: source.given,
        links: linkStates(links),
        dead: await this.store.deadVersions(entity),
        skipped,
        linkedCounterparties,
        namedCounterparties: source.namedCounterparties,
        retries: await this.store.retries(entity),
        now: new Date(),
      });
      unsettled.push(...given.deferred);
      sel = given;
    }
    this.count(entity, s, 'unchanged', sel.unchanged);
    this.count(entity, s, 'skipped', sel.dead);
    ctx.dry?.addCounts(entity, { unchanged: sel.unchanged, skip: sel.dead });
    // Linked records that vanished from 1C: flagged, never deleted in the CRM.
    unsettled.push(...(await this.flagVanished(ctx, entity, sel.vanished, links)));
    // A create is looked up by its 1C key first only when the CRM may hold records of ours: on a CRM with
    // none (a first sync), no earlier create can be hiding, and this run is the only writer (it owns the
    // run; see src/runs/). One count request per entity.
    const lookups = sel.todo.some((r) => !links.has(r)) && (await this.sourceCount(entity)) > 0;
    const fail = async (items: RecordFailure[]) => {
      if (ctx.dry) {
        // A dry run records nothing: what would fail is a skip in the plan, with the reason.
        await ctx.dry.add(
          items.map((i) => ({
            entity,
            action: 'skip',
            onecRef: i.ref,
            crmId: null,
            name: '',
            inn: null,
            changes: null,
            reason: i.error,
          })),
        );
        return;
      }
      unsettled.push(...(await this.fail(runId, entity, items, !feed)));
    };
    let batchNo = 0;
    for (let i = 0; i < sel.todo.length; i += FETCH_CHUNK) {
      const refs = sel.todo.slice(i, i + FETCH_CHUNK);
      const read = await this.onec.fetchByKeys(entity, refs);
      const got = new Set(read.records.map((r) => r.ref));
      const malformed = read.malformed.filter((m) => m.ref);
      if (malformed.length) {
        this.count(entity, s, 'failed', malformed.length);
        await fail(
          malformed.map((m) => ({
            ref: m.ref!,
            dataVersion: versions.get(m.ref!) ?? null,
            error: `unreadable 1C record: ${m.reason}`,
          })),
        );
      }
      const bad = new Set(malformed.map((m) => m.ref));
      // Not returned: gone from 1C since it was named (a linked one is flagged), or no record of this entity
      // at all (a counterparty folder named by the feed): nothing to write, counted as skipped.
      const absent = refs.filter((r) => !got.has(r) && !bad.has(r));
      this.count(entity, s, 'skipped', absent.filter((r) => !links.has(r)).length);
      unsettled.push(
        ...(await this.flagVanished(
          ctx,
          entity,
          absent.filter((r) => links.has(r)),
          links,
        )),
      );
      let records = feed ? this.inWindow(entity, read.records, s) : read.records;
      if (feed && scope) {
        // A feed names every changed record; those outside the pilot scope are left alone.
        const kept = records.filter((r) => inScope(scope, counterpartyOf(entity, r)));
        this.count(entity, s, 'skipped', records.length - kept.length);
        records = kept;
      }
      try {
        batchNo = await this.processChunk(
          ctx,
          entity,
          records,
          links,
          companyLinks,
          s,
          batchNo,
          lookups,
          fail,
        );
      } catch (e) {
        // A CRM read or batch that still failed after the adapter's retries: this chunk's records are
        // retried later (their DataVersion is not stored); the run goes on. Fatal errors stop it.
        if (!(e instanceof CrmError) || e.fatal) throw e;
        this.log.warn(
          `sync run ${runId} ${entity}: a chunk of ${records.length} record(s) failed: ${describeError(e)}`,
        );
        this.count(entity, s, 'failed', records.length);
        await fail(records.map((r) => ({ ref: r.ref, dataVersion: r.dataVersion, error: describeError(e) })));
      }
      // Ownership and progress, once per chunk (the applier checks again before each batch of writes).
      await run.check();
    }
    this.metrics?.syncDeadLetters.set({ entity }, (await this.store.deadLetters(entity)).length);
    this.metrics?.syncConflictsOpen.set({ entity }, await this.store.openConflictCount(entity));
    return unsettled;
  }

  /**
   * With `deals.ordersSince`, the scan never sees older orders; the feed names every changed order, so
   * one dated before the window is left alone here too (counted as skipped, not remembered).
   */
  private inWindow<E extends SyncEntity>(
    entity: E,
    records: OneCRecordMap[E][],
    s: EntityStats,
  ): OneCRecordMap[E][] {
    const since = this.mapping.deals.ordersSince;
    if (entity !== 'deals' || !since) return records;
    const kept = records.filter((r) => (r as OneCRecordMap['deals']).date >= `${since}T00:00:00`);
    this.count(entity, s, 'skipped', records.length - kept.length);
    return kept;
  }

  /**
   * A feed run: messages of the 1C change feed (docs/protocols/onec-change-feed.md §4), each applied
   * entity by entity in link order through the same selection → fetch → plan → apply as a scan, and
   * acknowledged only when nothing of it is left unsettled (a message left unacknowledged comes again
   * with the next pull, under a new number; what was applied then costs nothing). Items that cannot be
   * read are logged and kept on the run; one whose set and key are readable is read by key all the same.
   */
  private async feedPass(ctx: SyncRunContext, stats: SyncStats, log: FeedRunLog): Promise<void> {
    const run = ctx.run;
    const feed = this.feed;
    if (!feed) throw new FatalRunError('the 1C change feed is not configured (ONEC_FEED_URL)');
    for (const entity of run.run.entities) stats[entity] = emptyStats();
    for (let n = 1; n <= FEED_MESSAGES_PER_RUN; n++) {
      const message = await feed.changes(DEFAULT_FEED_LIMIT);
      const entry: FeedMessageLog = {
        messageNo: message.messageNo,
        items: message.items.length,
        malformed: message.malformed.slice(0, 50).map((m) => m.reason),
        unsettled: 0,
        acked: false,
      };
      log.messages.push(entry);
      if (message.malformed.length)
        this.log.warn(
          `sync run ${run.id}: ${message.malformed.length} item(s) of feed message ${message.messageNo} could not be read: ${entry.malformed.slice(0, 3).join('; ')}`,
        );
      const given = feedItemsByEntity(message);
      const named = new Set(given.get('counterparties')?.keys() ?? []);
      for (const entity of run.run.entities) {
        const refs = given.get(entity) ?? new Map<string, GivenRef>();
        // Contacts and orders are looked at without items of their own when they may wait for a named counterparty.
        if (!refs.size && (entity === 'counterparties' || !named.size)) continue;
        const left = await this.syncEntity(ctx, entity, stats[entity]!, {
          kind: 'feed',
          given: refs,
          namedCounterparties: named,
        });
        entry.unsettled += left.length;
      }
      if (entry.unsettled > 0) {
        this.log.warn(
          `sync run ${run.id}: feed message ${message.messageNo} not acknowledged: ${entry.unsettled} record(s) wait for a retry; the next pull brings them again`,
        );
        return;
      }
      await run.check();
      await this.hook?.('before-feed-ack', { entity: 'counterparties', batch: n });
      await feed.ack(message.messageNo);
      entry.acked = true;
      await this.feedState.acked(message.messageNo, new Date());
      this.log.log(
        `sync run ${run.id}: feed message ${message.messageNo} (${entry.items} item(s)) applied and acknowledged`,
      );
      if (!message.more) return;
    }
  }

  /**
   * Whether the CRM holds records carrying our 1C key (0 or at least 1: a CRM that counts page by page
   * stops at the first); when it cannot be read, lookups stay on (the safe side).
   */
  private async sourceCount(entity: SyncEntity): Promise<number> {
    try {
      return await this.crm!.count(CRM_ENTITY[entity], { source: this.mapping.source, upTo: 1 });
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
   * set stays unflagged and is tried again by the next run. Returns the refs left unflagged.
   */
  private async flagVanished(
    ctx: SyncRunContext,
    entity: SyncEntity,
    refs: string[],
    links: Map<string, LinkRow>,
  ): Promise<string[]> {
    if (!refs.length || this.mapping.deletions !== 'flag') return [];
    const run = ctx.run;
    const runId = run.id;
    if (ctx.dry) {
      await ctx.dry.add(
        refs.map((ref) => ({
          entity,
          action: 'flag',
          onecRef: ref,
          crmId: links.get(ref)?.crm_id ?? null,
          name: '',
          inn: null,
          changes: null,
          reason: 'gone from 1C',
        })),
      );
      return [];
    }
    let flag = refs;
    const crm = this.crm!;
    if (crm.capabilities.flags) {
      flag = [];
      const ce = CRM_ENTITY[entity];
      for (let i = 0; i < refs.length; i += crm.writeChunk) {
        await run.check();
        const writes = refs.slice(i, i + crm.writeChunk).map((ref) => ({
          op: 'update' as const,
          key: ref,
          entity: ce,
          id: links.get(ref)!.crm_id,
          fields: { flagged: true },
        }));
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
    await this.store.flag(
      entity,
      flag.map((ref) => ({ ref, dataVersion: null })),
    );
    if (flag.length)
      this.log.warn(
        `sync run ${runId} ${entity}: ${flag.length} linked record(s) gone from 1C flagged (CRM records kept)`,
      );
    const flagged = new Set(flag);
    return refs.filter((r) => !flagged.has(r));
  }

  /**
   * Records failures (attempts, backoff, dead letter after MAX_ATTEMPTS); returns the refs that will be
   * tried again. With `retryJob` a delayed incremental run of the entity is enqueued after the backoff; a
   * feed run needs none (its message stays unacknowledged and the next pull after the backoff retries them).
   */
  private async fail(
    runId: string,
    entity: SyncEntity,
    items: RecordFailure[],
    retryJob = true,
  ): Promise<string[]> {
    if (!items.length) return [];
    const res = await this.store.recordFailures(runId, entity, items, MAX_ATTEMPTS, retryBackoffMs);
    const deadNow = res.filter((r) => r.dead).length;
    if (deadNow)
      this.log.error(
        `sync run ${runId} ${entity}: ${deadNow} record(s) gave up after ${MAX_ATTEMPTS} attempts (dead letters)`,
      );
    const pending = res.filter((r) => !r.dead);
    if (pending.length && this.queue && retryJob) {
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
    return pending.map((r) => r.ref);
  }

  /** Reads the current CRM records of the chunk's linked records, plans, and applies the plan. */
  private async processChunk(
    ctx: SyncRunContext,
    entity: SyncEntity,
    chunk: OneCRecordMap[SyncEntity][],
    links: Map<string, LinkRow>,
    companyLinks: Map<string, string> | undefined,
    s: EntityStats,
    batchNo: number,
    lookups: boolean,
    fail: (items: RecordFailure[]) => Promise<void>,
  ): Promise<number> {
    const run = ctx.run;
    const runId = run.id;
    const crm = this.crm!;
    const ce = CRM_ENTITY[entity];
    let records = chunk;
    // Idempotent creates: an unlinked record may already be in the CRM (a create whose answer or link was lost).
    const unlinked = lookups
      ? records.filter((r) => !links.has(r.ref) && !r.deletionMark).map((r) => r.ref)
      : [];
    if (unlinked.length) {
      const found = await crm.findByExternalKey(ce, this.mapping.source, unlinked);
      const adopt = [...found]
        .filter(([, ids]) => ids.length)
        .map(([ref, ids]) => ({ ref, crmId: ids[0], dataVersion: null }));
      if (adopt.length) {
        // A dry run plans them as updates of the records found, without storing the links.
        if (!ctx.dry) await this.store.saveLinks(entity, adopt);
        for (const a of adopt) links.set(a.ref, adoptedLink(entity, a.ref, a.crmId));
        this.log.log(
          `sync run ${runId} ${entity}: ${adopt.length} record(s) found in the CRM by their 1C key and linked`,
        );
      }
    }
    // Matching before create: a person's record with the same INN (+KPP) / name and e-mail or phone is adopted
    // instead of making a second one; an ambiguous one holds the 1C record for an operator's decision.
    let held: ReviewItem[] = [];
    const current = new Map<string, CrmCurrent>();
    let matches: Map<string, { crmId: string; matchedTaxIds?: { inn: string; kpp: string } }> | undefined;
    const toCreate = records.filter((r) => !links.has(r.ref) && !r.deletionMark);
    if (this.matcher && toCreate.length && entity !== 'deals') {
      const m = await this.matcher.decide(
        entity as Exclude<SyncEntity, 'deals'>,
        toCreate as OneCRecordMap['counterparties' | 'contacts'][],
        {
          onecParties: () => ctx.onecParties(),
          companyLinks,
          candidates: entity === 'counterparties' ? ctx.candidates : undefined,
        },
      );
      if (!ctx.dry) {
        for (const r of m.reopen) await this.matches.reopen(r.id, r.reason);
        await this.matches.hold(entity, m.review);
      }
      held = m.review;
      matches = m.links;
      for (const c of m.current) current.set(c.id, c);
      if (held.length) {
        const h = new Set(held.map((x) => x.ref));
        records = records.filter((r) => !h.has(r.ref));
        this.count(entity, s, 'held', held.length);
        this.log.log(
          `sync run ${runId} ${entity}: ${held.length} record(s) held for a matching decision (GET /api/v1/matches)`,
        );
      }
    }
    const planLinks = new Map<string, PlanLink>();
    for (const r of records) {
      const l = links.get(r.ref);
      if (l) planLinks.set(r.ref, toPlanLink(l));
    }
    const ids = [...planLinks.values()].map((l) => l.crmId);
    // One call: the adapter packs its reads (for companies, their tax details too) into as few requests as it can.
    if (ids.length) for (const c of (await crm.getMany(ce, ids)).records) current.set(c.id, c as CrmCurrent);
    const plan = planSync({
      entity,
      records,
      links: planLinks,
      crm: current,
      companyLinks,
      matches,
      mapping: this.mapping,
      crmFlags: crm.capabilities.flags,
      amountDigits: crm.capabilities.amountDigits ?? 2,
      now: new Date(),
    });
    if (ctx.dry) {
      await ctx.dry.add(planItems(entity, plan, new Map(chunk.map((r) => [r.ref, r])), held));
      if (entity === 'counterparties') ctx.planned(plan);
      return batchNo;
    }
    const next = await this.applier!.apply(plan, {
      runId,
      entity,
      checkOwned: () => run.check(),
      count: (result, n) => this.count(entity, s, result, n),
      fail,
      hook: this.hook,
      batchNo,
    });
    if (entity !== 'deals') {
      // Review items of records that are linked now are done; those of records 1C marked deleted close.
      await this.matches.settle(
        entity,
        chunk.map((r) => r.ref),
        'linked or created by a later sync',
      );
      await this.matches.close(
        entity,
        chunk.filter((r) => r.deletionMark).map((r) => r.ref),
        'deletion-marked in 1C',
      );
    }
    return next;
  }
}

/** "create 3, link 2, …" of a dry run's counts. */
function describePlan(c: Record<string, number> | undefined): string {
  return c
    ? Object.entries(c)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')
    : 'nothing to do';
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

/** What the selections need of the link rows: the stored DataVersion and whether the link is flagged. */
function linkStates(
  links: ReadonlyMap<string, LinkRow>,
): Map<string, { dataVersion: string | null; flagged: boolean }> {
  return new Map(
    [...links].map(([ref, l]) => [ref, { dataVersion: l.data_version, flagged: l.flagged_at !== null }]),
  );
}

/**
 * The run row a sync request creates (a feed run: every enabled entity, its message log empty). Entities
 * switched off by SYNC_ENTITIES (`enabled`) are never synced: left out of the defaults and of a request.
 */
export function syncRunInput(req: SyncRequest, enabled: EnabledEntities = SYNC_ENTITIES): CreateRunInput {
  const feed = req.trigger === 'feed';
  const wanted = orderEntities(feed || !req.entities?.length ? enabled : req.entities).filter((e) =>
    enabled.includes(e),
  );
  return {
    trigger: req.trigger,
    slot: req.slot ?? null,
    values: {
      entities: wanted,
      full_sync: feed ? false : (req.full ?? false),
      dry_run: feed ? false : (req.dryRun ?? false),
      ...(feed ? { feed: JSON.stringify({ messages: [] } satisfies FeedRunLog) } : {}),
    },
  };
}

/** The requested entities in link order (default: all). */
export function orderEntities(entities?: readonly SyncEntity[]): SyncEntity[] {
  if (!entities || entities.length === 0) return [...SYNC_ENTITIES];
  return SYNC_ENTITIES.filter((e) => entities.includes(e));
}
