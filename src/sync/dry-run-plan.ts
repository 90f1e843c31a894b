import type { DataSource } from 'typeorm';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';
import type { OneCCounterparty, OneCRecordMap } from '../onec/onec.types.js';
import { digits } from './match-records.js';
import type { ReviewItem } from './match-store.js';
import type { PlannedChange, SyncPlan } from './plan-sync.js';
import { recordName } from './sync-matcher.js';

/**
 * A dry run's plan (README.md#going-live): the same plan a real run makes, with the apply step left out —
 * per entity the count of each action (`sync_run.plan`) and one row per planned action (`sync_plan_item`).
 */
export const PLAN_ACTIONS = [
  'create',
  'update',
  'link',
  'review',
  'unchanged',
  'flag',
  'conflict',
  'skip',
] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];
export type PlanCounts = Record<PlanAction, number>;
export type RunPlan = Partial<Record<SyncEntity, PlanCounts>>;

export function emptyPlanCounts(): PlanCounts {
  return { create: 0, update: 0, link: 0, review: 0, unchanged: 0, flag: 0, conflict: 0, skip: 0 };
}

export interface PlanItem {
  entity: SyncEntity;
  action: PlanAction;
  onecRef: string;
  crmId: string | null;
  name: string;
  inn: string | null;
  changes: PlannedChange[] | null;
  reason: string | null;
}

/**
 * The rows of one planned chunk, pure. A conflict is one row per field (the count is of fields); an update
 * that flags a deletion counts as an update, as the real run counts it.
 */
export function planItems(
  entity: SyncEntity,
  plan: SyncPlan,
  records: ReadonlyMap<string, OneCRecordMap[SyncEntity]>,
  held: readonly ReviewItem[],
): PlanItem[] {
  const who = (ref: string) => {
    const r = records.get(ref);
    return {
      name: r ? recordName(entity, r) : '',
      inn: r && entity === 'counterparties' ? digits((r as OneCCounterparty).inn) || null : null,
    };
  };
  const item = (action: PlanAction, ref: string, extra: Partial<PlanItem> = {}): PlanItem => ({
    entity,
    action,
    onecRef: ref,
    crmId: null,
    changes: null,
    reason: null,
    ...who(ref),
    ...extra,
  });
  return [
    ...plan.create.map((c) => item('create', c.ref)),
    ...plan.link.map((l) => item('link', l.ref, { crmId: l.crmId, changes: l.changes })),
    ...plan.update.map((u) => item('update', u.ref, { crmId: u.crmId, changes: u.changes })),
    ...held.map((h) =>
      item('review', h.ref, {
        name: h.name,
        inn: h.inn,
        reason: `${h.reason}; candidates: ${h.candidates.map((c) => `${c.crmId} «${c.title}»`).join(', ')}`,
      }),
    ),
    ...plan.unchanged.map((u) => item('unchanged', u.ref, { crmId: u.crmId })),
    ...plan.flag.map((f) => item('flag', f.ref, { crmId: f.crmId, reason: f.reason })),
    ...plan.conflict.map((c) =>
      item('conflict', c.ref, {
        crmId: c.crmId,
        changes: [{ field: c.field, crm: c.crmValue, onec: c.onecValue }],
      }),
    ),
    ...plan.skip.map((k) => item('skip', k.ref, { reason: k.reason })),
  ];
}

/** Collects a dry run's plan as it is made: counts in memory, rows written in batches. */
export class PlanRecorder {
  readonly counts: RunPlan = {};
  private seq = 0;

  constructor(
    private readonly db: DataSource,
    private readonly runId: string,
  ) {}

  /** Counts without rows (records the selection left alone: unchanged, dead letters). */
  addCounts(entity: SyncEntity, counts: Partial<PlanCounts>): void {
    const c = (this.counts[entity] ??= emptyPlanCounts());
    for (const [k, n] of Object.entries(counts) as [PlanAction, number][]) c[k] += n;
  }

  async add(items: PlanItem[]): Promise<void> {
    for (const i of items) {
      const c = (this.counts[i.entity] ??= emptyPlanCounts());
      c[i.action]++;
    }
    for (let k = 0; k < items.length; k += 1000) {
      const rows = items.slice(k, k + 1000).map((i) => ({ ...i, seq: ++this.seq }));
      await this.db.query(
        `INSERT INTO sync_plan_item (run_id, seq, entity, action, onec_ref, crm_id, name, inn, changes, reason)
         SELECT $1, x.seq, x.entity, x.action, x."onecRef", x."crmId", x.name, x.inn, x.changes, x.reason
           FROM jsonb_to_recordset($2::jsonb)
             AS x(seq int, entity text, action text, "onecRef" text, "crmId" text, name text, inn text, changes jsonb, reason text)`,
        [this.runId, JSON.stringify(rows)],
      );
    }
  }

  /** Counts for every entity the run covered (zeros included). */
  summary(entities: readonly SyncEntity[]): RunPlan {
    return Object.fromEntries(
      SYNC_ENTITIES.filter((e) => entities.includes(e)).map((e) => [e, this.counts[e] ?? emptyPlanCounts()]),
    ) as RunPlan;
  }
}
