import { describeError } from '../../common/describe-error.js';
import type { SyncEntity } from '../../common/vocabulary.js';
import {
  compareCounts,
  compareFields,
  compareMissing,
  compareOrphans,
  compareStatuses,
  countEntity,
} from '../reconcile-compare.sql.js';
import { SkipCheck, type RunContext, type SnapshotSource } from '../run-context.js';
import type { ReconcileCheck, RunState } from './reconcile-check.js';

/**
 * Counts, missing records, orphans, field differences and (deals) stages of one synced entity, in SQL
 * over the snapshot (reconcile-compare.sql.ts).
 */
export class EntityCheck implements ReconcileCheck {
  readonly name: string;
  readonly needs: readonly SnapshotSource[];

  constructor(private readonly entity: SyncEntity) {
    this.name = `${entity}: comparison`;
    // Contacts and deals are judged by their owner counterparty.
    this.needs =
      entity === 'counterparties'
        ? ['onec:counterparties', 'crm:counterparties']
        : [`onec:${entity}`, `crm:${entity}`, 'onec:counterparties'];
  }

  async compare(ctx: RunContext, state: RunState): Promise<void> {
    const entity = this.entity;
    // Without sync's link table the links come from the CRM companies: a partial company snapshot
    // would make every contact's and deal's company look wrong, so those checks wait for a full one.
    if (
      entity !== 'counterparties' &&
      state.linkSource !== 'entity_link' &&
      !state.ready.has('crm:counterparties')
    )
      throw new SkipCheck(
        'the CRM companies could not be read, so the links to compare through are incomplete',
      );
    if (entity === 'deals') ctx.compare.dealStages = await dealStageNames(ctx);
    const counts = await countEntity(ctx.db, ctx.compare, entity);
    state.summary.counts[entity] = counts;
    await compareCounts(ctx.db, ctx.compare, entity, counts);
    await compareMissing(ctx.db, ctx.compare, entity);
    await compareOrphans(ctx.db, ctx.compare, entity);
    await compareFields(ctx.db, ctx.compare, entity);
    if (entity === 'deals') state.summary.statuses = await compareStatuses(ctx.db, ctx.compare);
  }
}

/** Deal stage id → name, for texts and labels; empty (codes are shown) when the CRM cannot list them. */
async function dealStageNames(ctx: RunContext): Promise<Record<string, string>> {
  try {
    return Object.fromEntries((await ctx.crm!.listStages('deal')).map((st) => [st.id, st.name]));
  } catch (e) {
    ctx.log.warn(
      `reconcile run ${ctx.runId}: deal stage names not read, stages shown by id: ${describeError(e)}`,
    );
    return {};
  }
}
