import type { SyncEntity } from '../common/vocabulary.js';
import type { CrmEntity } from '../crm/crm.types.js';
import type { MalformedRecord, OneCEntity } from '../onec/onec.types.js';
import { invalidItem, malformedCrmItem, malformedOneCItem } from './discrepancy-writer.js';
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
import { inScope } from '../scope/scope.types.js';
import { notOutOfScope, stage, type StageRow, type StageTable } from './reconcile-stage.repository.js';
import { requireCrm, requireOneC, SkipCheck, type RunContext, type SnapshotSource } from './run-context.js';
import { validateContact, validateCounterparty } from './validate-records.js';

/**
 * The snapshot steps: each reads one entity of one system page by page into its staging table
 * (both sides normalised alike, reconcile-rows.ts), reporting unreadable rows as items. A step that
 * throws leaves its source incomplete: the checks that need it are skipped (the run is `partial`).
 */

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

/** Orders read by key per call when telling "gone" from "older than ordersSince" (the adapter asks 20 per request). */
const OUT_OF_WINDOW_CHUNK = 500;

export type SnapshotStep = (ctx: RunContext) => Promise<void>;

/** The step that reads a source. */
export function snapshotStep(source: SnapshotSource): SnapshotStep {
  const [side, entity] = source.split(':') as ['onec' | 'crm', SyncEntity | 'debts'];
  if (entity === 'debts') return side === 'onec' ? snapshotOneCDebts : snapshotCrmInvoices;
  return side === 'onec' ? (ctx) => snapshotOneC(ctx, entity) : (ctx) => snapshotCrm(ctx, entity);
}

/** The counterparty a 1C record belongs to (itself, a contact person's owner, an order's customer). */
function counterpartyOf(entity: SyncEntity, rec: unknown): string | null {
  if (entity === 'counterparties') return (rec as { ref: string }).ref;
  if (entity === 'contacts') return (rec as { ownerRef: string | null }).ownerRef;
  return (rec as { counterpartyRef: string | null }).counterpartyRef;
}

/**
 * 1C records of an entity; values of the checked entities are validated on the way (invalid_value items).
 * With a pilot scope, a record of an out-of-scope counterparty is not staged nor validated: only its ref
 * goes to `onec_out_of_scope`. An unreadable row is reported unless it is a counterparty known to be out
 * of scope (a contact person's or an order's owner cannot be told from a row that could not be read).
 */
async function snapshotOneC(ctx: RunContext, entity: SyncEntity): Promise<void> {
  const onec = requireOneC(ctx);
  const scope = ctx.scope;
  const validate = ctx.entities.has(entity);
  const { table } = ONEC_OF[entity];
  const m = ctx.messages;
  let incomplete: string | null = null;
  for await (const page of onec.readAll({
    entity: ONEC_OF[entity].entity,
    onReport: (r) => {
      if (!r.complete) incomplete = `1C returned ${r.rows} rows of ${entity} but counts ${r.counted}`;
    },
  })) {
    const rows: StageRow[] = [];
    const outside: StageRow[] = [];
    for (const rec of page.records) {
      if (scope && !inScope(scope, counterpartyOf(entity, rec))) {
        outside.push([entity, (rec as { ref: string }).ref]);
        continue;
      }
      if (entity === 'counterparties') {
        const c = rec as Parameters<typeof onecCounterpartyRow>[0];
        rows.push(onecCounterpartyRow(c, ctx.mapping));
        if (validate && !c.deletionMark)
          for (const f of validateCounterparty(c))
            ctx.writer.push(invalidItem(entity, c.ref, f.field, f.value, f.reason, m));
      } else if (entity === 'contacts') {
        const c = rec as Parameters<typeof onecContactRow>[0];
        rows.push(onecContactRow(c, ctx.mapping));
        if (validate && !c.deletionMark && c.ownerRef)
          for (const f of validateContact(c))
            ctx.writer.push(invalidItem(entity, c.ref, f.field, f.value, f.reason, m));
      } else rows.push(onecOrderRow(rec as Parameters<typeof onecOrderRow>[0], ctx.mapping));
    }
    await ctx.stageRows(table, rows);
    await ctx.stageRows('onec_out_of_scope', outside);
    for (const bad of page.malformed) {
      if (scope && entity === 'counterparties' && bad.ref && !inScope(scope, bad.ref.toLowerCase())) continue;
      ctx.writer.push(malformedOneCItem(entity, bad.ref, bad.reason, m));
    }
    await ctx.writer.flushIfFull();
  }
  if (incomplete) throw new SkipCheck(incomplete);
}

/** CRM records of an entity (companies with their tax details). */
async function snapshotCrm(ctx: RunContext, entity: SyncEntity): Promise<void> {
  const crm = requireCrm(ctx);
  const { table, entity: crmEntity } = CRM_OF[entity];
  for await (const page of crm.bulkRead({ entity: crmEntity })) {
    const rows = page.records.map((r) =>
      entity === 'counterparties'
        ? crmCompanyRow(r as Parameters<typeof crmCompanyRow>[0], ctx.mapping)
        : entity === 'contacts'
          ? crmContactRow(r as Parameters<typeof crmContactRow>[0], ctx.mapping)
          : crmDealRow(r as Parameters<typeof crmDealRow>[0]),
    );
    await ctx.stageRows(table, rows);
    for (const bad of page.malformed) ctx.writer.push(malformedCrmItem(entity, bad, ctx.messages));
    await ctx.writer.flushIfFull();
  }
}

/** 1C receivables per counterparty (with a pilot scope: of in-scope counterparties only). */
async function snapshotOneCDebts(ctx: RunContext): Promise<void> {
  const onec = requireOneC(ctx);
  const all = await onec.readDebts({
    onMalformed: (rows: MalformedRecord[]) => {
      for (const bad of rows) ctx.writer.push(malformedOneCItem('debts', bad.ref, bad.reason, ctx.messages));
    },
  });
  const debts = ctx.scope ? all.filter((d) => inScope(ctx.scope, d.counterpartyRef)) : all;
  for (let i = 0; i < debts.length; i += 5000)
    await ctx.stageRows('onec_debt', debts.slice(i, i + 5000).map(onecDebtRow));
}

/** The CRM's invoices and which of their stages count as open (the mapping's list, else every `open` stage). */
async function snapshotCrmInvoices(ctx: RunContext): Promise<void> {
  const crm = requireCrm(ctx);
  if (!crm.capabilities.invoices)
    throw new SkipCheck(
      crm.capabilities.invoicesUnavailable ?? `${crm.kind} has no invoices Sverka can read`,
    );
  const listed = ctx.mapping.debts.openInvoiceStages;
  const open = listed?.length
    ? listed
    : (await crm.listStages('invoice')).filter((s) => s.kind === 'open').map((s) => s.id);
  await ctx.stageRows(
    'crm_open_stage',
    open.map((s) => [s]),
  );
  for await (const page of crm.bulkRead({ entity: 'invoices' })) {
    await ctx.stageRows('crm_invoice', page.records.map(crmInvoiceRow));
    for (const bad of page.malformed) ctx.writer.push(malformedCrmItem('debts', bad, ctx.messages));
  }
}

/**
 * With `deals.ordersSince` the 1C snapshot holds only orders from that date. CRM deals of ours whose
 * order is not in it are read by key: an order still in 1C is staged as out of the window (not an
 * orphan); one 1C no longer has stays missing from the stage (an orphan).
 */
export async function stageOrdersOutOfWindow(ctx: RunContext): Promise<void> {
  const onec = requireOneC(ctx);
  const refs = (
    (await ctx.db.query(
      `SELECT DISTINCT x.ref FROM (
         SELECT coalesce(l.onec_ref, CASE WHEN c.source = $1 THEN c.ext_key END) AS ref
         FROM ${stage('crm_deal')} c LEFT JOIN ${stage('link')} l ON l.entity = 'deals' AND l.crm_id = c.id
       ) x WHERE x.ref IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${stage('onec_order')} o WHERE o.ref = x.ref)
         AND ${notOutOfScope("'deals'", 'x.ref')}`,
      [ctx.mapping.source],
    )) as { ref: string }[]
  ).map((r) => r.ref);
  for (let i = 0; i < refs.length; i += OUT_OF_WINDOW_CHUNK) {
    const read = await onec.fetchByKeys('deals', refs.slice(i, i + OUT_OF_WINDOW_CHUNK));
    const kept = read.records.filter((o) => inScope(ctx.scope, o.counterpartyRef));
    await ctx.stageRows(
      'onec_order',
      kept.map((o) => onecOrderRow(o, ctx.mapping)),
    );
    await ctx.stageRows(
      'onec_out_of_scope',
      read.records.filter((o) => !kept.includes(o)).map((o) => ['deals', o.ref]),
    );
  }
}

export { ONEC_OF, CRM_OF };
