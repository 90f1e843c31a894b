import type { Logger } from '@nestjs/common';
import { describeError } from '../common/describe-error.js';
import type { SyncEntity, SyncResult } from '../common/vocabulary.js';
import { CrmError } from '../crm/crm.error.js';
import type { CrmPort } from '../crm/crm.port.js';
import type { CrmWritableEntity, CrmWrite, CrmWriteResult } from '../crm/crm.types.js';
import type { Mapping } from '../mapping/mapping.types.js';
import type { SyncPlan } from './plan-sync.js';
import type { LinkWrite, SyncStore } from './sync-store.js';

export const CRM_ENTITY: Record<SyncEntity, CrmWritableEntity> = {
  counterparties: 'companies',
  contacts: 'contacts',
  deals: 'deals',
};

/**
 * Named points of the apply step where tests (and `sync-once` with SYNC_CRASH_AT) stop the process:
 * `after-records-created` (the CRM made records, their links are not stored yet), `after-link-commit`
 * (those links are stored, the rest of the writes — e.g. tax details — not done), `after-batch-answer`
 * (a batch of writes answered, the outcome not stored yet); and in a feed run `before-feed-ack` (every
 * item of a message written and stored, the message not yet acknowledged in 1C; `batch` is the message's
 * place in the run).
 */
export const SYNC_HOOK_POINTS = [
  'after-records-created',
  'after-link-commit',
  'after-batch-answer',
  'before-feed-ack',
] as const;
export type SyncHookPoint = (typeof SYNC_HOOK_POINTS)[number];
export type SyncHook = (
  point: SyncHookPoint,
  info: { entity: SyncEntity; batch: number },
) => void | Promise<void>;

/** A failure to record for a record (attempts, backoff, dead letter after MAX_ATTEMPTS). */
export interface RecordFailure {
  ref: string;
  dataVersion: string | null;
  error: string;
}

/** What the applier needs from the run around it. */
export interface ApplyContext {
  runId: string;
  entity: SyncEntity;
  /** Throws RunLostError when the run is no longer this instance's (called before each batch of writes). */
  checkOwned(): Promise<void>;
  /** Counts outcomes in the run's stats (`linked`: a person's record adopted by matching). */
  count(result: SyncResult | 'linked', n: number): void;
  fail(items: RecordFailure[]): Promise<void>;
  hook: SyncHook | null;
  /** Batches applied so far in this run for the entity (hook numbering). */
  batchNo: number;
}

/**
 * Applies one plan: the store's bookkeeping (conflicts, skips, flags, unchanged links) and the CRM writes,
 * in chunks of the port's `writeChunk`, each after an ownership check, each record's link stored as soon
 * as its CRM id is known (a create's, through `onCreated`, before the rest of its writes) and its
 * DataVersion only once all of its writes succeeded — so a crash anywhere is completed by the next run.
 */
export class PlanApplier {
  constructor(
    private readonly store: SyncStore,
    private readonly crm: CrmPort,
    private readonly mapping: Mapping,
    private readonly log: Logger,
  ) {}

  async apply(plan: SyncPlan, ctx: ApplyContext): Promise<number> {
    const { runId, entity } = ctx;
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
    ctx.count('skipped', plan.skip.length);
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
      ctx.count('unchanged', plan.flag.length);
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
        })),
      );
      await this.store.clearFailures(
        entity,
        plan.unchanged.map((u) => u.ref),
      );
      ctx.count('unchanged', plan.unchanged.length);
    }
    return this.write(plan, ctx);
  }

  private async write(plan: SyncPlan, ctx: ApplyContext): Promise<number> {
    const { entity } = ctx;
    const ce = CRM_ENTITY[entity];
    type Item = {
      kind: 'create' | 'update' | 'link';
      ref: string;
      dataVersion: string;
      pushedValues: Record<string, string>;
      pushedHash: string;
      flag?: boolean;
      write: CrmWrite;
    };
    const items: Item[] = [
      ...plan.create.map((c): Item => ({
        kind: 'create',
        ref: c.ref,
        dataVersion: c.dataVersion,
        pushedValues: c.pushedValues,
        pushedHash: c.pushedHash,
        write: {
          op: 'create',
          key: c.ref,
          entity: ce,
          external: { source: this.mapping.source, key: c.ref },
          fields: c.fields,
        } as CrmWrite,
      })),
      ...plan.update.map((u): Item => ({
        kind: 'update',
        ref: u.ref,
        dataVersion: u.dataVersion,
        pushedValues: u.pushedValues,
        pushedHash: u.pushedHash,
        flag: u.flag,
        write: { op: 'update', key: u.ref, entity: ce, id: u.crmId, fields: u.fields } as CrmWrite,
      })),
      ...plan.link.map((l): Item => ({
        kind: 'link',
        ref: l.ref,
        dataVersion: l.dataVersion,
        pushedValues: l.pushedValues,
        pushedHash: l.pushedHash,
        write: {
          op: 'link',
          key: l.ref,
          entity: ce,
          id: l.crmId,
          external: { source: this.mapping.source, key: l.ref },
          fields: l.fields,
          ...(l.matchedTaxIds ? { matchedTaxIds: l.matchedTaxIds } : {}),
        } as CrmWrite,
      })),
    ];
    const chunk = Math.max(1, this.crm.writeChunk);
    let batchNo = ctx.batchNo;
    for (let i = 0; i < items.length; i += chunk) {
      const batch = items.slice(i, i + chunk);
      // A run another instance recovered writes nothing more (checked before every batch of writes).
      await ctx.checkOwned();
      batchNo++;
      const byRef = new Map(batch.map((b) => [b.ref, b]));
      const results = await this.applyOrFail(
        batch.map((b) => b.write),
        async (created) => {
          await ctx.hook?.('after-records-created', { entity, batch: batchNo });
          // The link is stored as soon as the CRM id is known: the rest of the record's writes may still fail.
          await this.store.saveLinks(
            entity,
            created.map((c) => ({
              ref: c.key,
              crmId: c.id,
              dataVersion: null,
              pushedValues: byRef.get(c.key)!.pushedValues,
              pushedHash: null,
            })),
          );
          await ctx.hook?.('after-link-commit', { entity, batch: batchNo });
        },
      );
      await ctx.hook?.('after-batch-answer', { entity, batch: batchNo });
      const byKey = new Map<string, CrmWriteResult>(results.map((r) => [r.key, r]));
      const save: LinkWrite[] = [];
      const failed: RecordFailure[] = [];
      let created = 0;
      let updated = 0;
      let linked = 0;
      for (const b of batch) {
        const r = byKey.get(b.ref);
        if (!r) {
          failed.push({ ref: b.ref, dataVersion: b.dataVersion, error: 'no answer for the write' });
          continue;
        }
        if (!r.ok) {
          if (r.error.fatal) throw r.error;
          // A record made but not completed keeps its link without a version: the next run completes it.
          if (r.id)
            save.push({
              ref: b.ref,
              crmId: r.id,
              dataVersion: null,
              pushedValues: b.pushedValues,
              pushedHash: null,
            });
          failed.push({ ref: b.ref, dataVersion: b.dataVersion, error: describeError(r.error) });
          continue;
        }
        if (r.duplicates?.length)
          this.log.warn(
            `sync run ${ctx.runId} ${entity}: ${r.duplicates.length} extra CRM record(s) carry the 1C key of one record`,
          );
        save.push({
          ref: b.ref,
          crmId: r.id,
          dataVersion: b.dataVersion,
          pushedValues: b.pushedValues,
          pushedHash: b.pushedHash,
        });
        // A create whose answer was lost and that the adapter found by its key was still made by this call.
        if (b.kind === 'create') created++;
        else if (b.kind === 'link') linked++;
        else updated++;
      }
      await this.store.saveLinks(entity, save);
      const flagged = batch.filter(
        (b) => b.flag && save.some((s) => s.ref === b.ref && s.dataVersion !== null),
      );
      if (flagged.length)
        await this.store.flag(
          entity,
          flagged.map((f) => ({ ref: f.ref, dataVersion: f.dataVersion })),
        );
      await this.store.clearFailures(
        entity,
        save.filter((x) => x.dataVersion !== null).map((x) => x.ref),
      );
      ctx.count('created', created);
      ctx.count('updated', updated);
      ctx.count('linked', linked);
      ctx.count('failed', failed.length);
      await ctx.fail(failed);
    }
    return batchNo;
  }

  /** applyWrites; a whole call that failed after the adapter's retries (non-fatal) becomes one failure per write. */
  private async applyOrFail(
    writes: CrmWrite[],
    onCreated: (created: { key: string; id: string }[]) => Promise<void>,
  ): Promise<CrmWriteResult[]> {
    try {
      return await this.crm.applyWrites(writes, { onCreated });
    } catch (e) {
      if (!(e instanceof CrmError) || e.fatal) throw e;
      return writes.map((w) => ({ key: w.key, ok: false as const, error: e }));
    }
  }
}
