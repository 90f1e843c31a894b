import type { DataSource, EntityManager } from 'typeorm';
import type { ReconcileEntity } from '../common/vocabulary.js';
import type { CrmEntity } from '../crm/crm.types.js';
import { enumPresentation } from '../onec/enum-presentation.util.js';
import type { OneCEntity } from '../onec/onec.types.js';
import type { CompareContext } from './reconcile-compare.sql.js';
import { stage } from './reconcile-stage.repository.js';

type Db = DataSource | EntityManager;

/** Where a record's card is (the ports' `recordUrl`); absent when that system is not configured. */
export interface RecordLinks {
  crm?: (entity: CrmEntity, id: string) => string | null;
  onec?: (entity: OneCEntity, ref: string) => string | null;
}

/** The CRM and 1C record type behind each reconciled entity (a debt is the counterparty's). */
const CRM_ENTITY_OF: Record<ReconcileEntity, CrmEntity> = {
  counterparties: 'companies',
  contacts: 'contacts',
  deals: 'deals',
  debts: 'companies',
};
const ONEC_ENTITY_OF: Record<ReconcileEntity, OneCEntity> = {
  counterparties: 'counterparties',
  contacts: 'contacts',
  deals: 'deals',
  debts: 'counterparties',
};

/** Items described per statement. */
const PAGE = 2000;

interface Row {
  id: string;
  entity: ReconcileEntity;
  kind: string;
  field: string | null;
  onec_ref: string | null;
  crm_id: string | null;
  onec_value: string | null;
  crm_value: string | null;
  name: string | null;
  inn: string | null;
  onec_found: boolean;
  crm_found: boolean;
  order_status: string | null;
  order_marked: boolean | null;
  onec_company: string | null;
  crm_company: string | null;
}

const person = (a: string) =>
  `nullif(concat_ws(' ', nullif(${a}.last_name, ''), nullif(${a}.first_name, ''), nullif(${a}.middle_name, '')), '')`;
const one = (table: Parameters<typeof stage>[0], col: string, value: string, when: string) =>
  `LEFT JOIN LATERAL (SELECT * FROM ${stage(table)} t WHERE ${when} AND t.${col} = ${value} LIMIT 1)`;

/**
 * Fills in what a person needs to act on each item of the run, from the run's snapshot: `name` (the
 * 1C name, else the CRM title; a contact's full name; a deal's title), `inn` (counterparties and
 * debts: 1C's, else the CRM company's tax details'), `crm_url` / `onec_url` (the record's card, unless the
 * reconciliation saw that record gone: the CRM card of a `missing_in_crm` item or of a debt whose
 * company is gone, the 1C object of an orphan whose 1C record is gone), and labels of values that are
 * codes: a deal stage reads by its name, with the 1C order status beside the expected one
 * ("К выполнению → В работе"); a company id by the company's title. Runs after every item is written.
 */
export async function describeItems(db: Db, ctx: CompareContext, links: RecordLinks): Promise<void> {
  const stageName = (id: string | null) => (id ? (ctx.dealStages?.[id] ?? id) : null);
  const marked = ctx.messages.deletionMarked.charAt(0).toUpperCase() + ctx.messages.deletionMarked.slice(1);
  let after = '0';
  for (;;) {
    const rows = (await db.query(
      `SELECT d.id::text AS id, d.entity, d.kind, d.field, d.onec_ref, d.crm_id, d.onec_value, d.crm_value,
              CASE d.entity
                WHEN 'contacts' THEN coalesce(${person('oc')}, ${person('cc')})
                WHEN 'deals' THEN coalesce(nullif(oo.title, ''), nullif(cd.title, ''))
                ELSE coalesce(nullif(op.title, ''), nullif(cp.title, ''))
              END AS name,
              CASE WHEN d.entity IN ('counterparties', 'debts') THEN coalesce(nullif(op.inn, ''), nullif(cp.inn, '')) END AS inn,
              coalesce(op.ref, oc.ref, oo.ref) IS NOT NULL AS onec_found,
              coalesce(cp.id, cc.id, cd.id) IS NOT NULL AS crm_found,
              oo.status AS order_status, oo.deletion_mark AS order_marked,
              c1.title AS onec_company, c2.title AS crm_company
       FROM discrepancy d
       ${one('onec_counterparty', 'ref', 'd.onec_ref', `d.entity IN ('counterparties', 'debts')`)} op ON true
       ${one('crm_company', 'id', 'd.crm_id', `d.entity IN ('counterparties', 'debts')`)} cp ON true
       ${one('onec_contact', 'ref', 'd.onec_ref', `d.entity = 'contacts'`)} oc ON true
       ${one('crm_contact', 'id', 'd.crm_id', `d.entity = 'contacts'`)} cc ON true
       ${one('onec_order', 'ref', 'd.onec_ref', `d.entity = 'deals'`)} oo ON true
       ${one('crm_deal', 'id', 'd.crm_id', `d.entity = 'deals'`)} cd ON true
       ${one('crm_company', 'id', 'd.onec_value', `d.field = 'companyId'`)} c1 ON true
       ${one('crm_company', 'id', 'd.crm_value', `d.field = 'companyId'`)} c2 ON true
       WHERE d.run_id = $1 AND d.id > $2::bigint
       ORDER BY d.id LIMIT $3`,
      [ctx.runId, after, PAGE],
    )) as Row[];
    if (!rows.length) return;
    const out = rows.map((r) => {
      const crmGone = r.kind === 'missing_in_crm' || (r.kind === 'debt_mismatch' && !r.crm_found);
      const onecGone = r.kind === 'orphan_in_crm' && !r.onec_found;
      let onecLabel: string | null = null;
      let crmLabel: string | null = null;
      if (r.field === 'stage') {
        const status = r.order_marked ? marked : r.order_status ? enumPresentation(r.order_status) : null;
        const expected = stageName(r.onec_value);
        onecLabel = status && expected ? `${status} → ${expected}` : expected;
        crmLabel = stageName(r.crm_value);
      } else if (r.field === 'companyId') {
        onecLabel = r.onec_company;
        crmLabel = r.crm_company;
      }
      return {
        id: r.id,
        name: r.name,
        inn: r.inn,
        crmUrl: r.crm_id && !crmGone ? (links.crm?.(CRM_ENTITY_OF[r.entity], r.crm_id) ?? null) : null,
        onecUrl:
          r.onec_ref && !onecGone ? (links.onec?.(ONEC_ENTITY_OF[r.entity], r.onec_ref) ?? null) : null,
        onecLabel,
        crmLabel,
      };
    });
    const col = <K extends keyof (typeof out)[number]>(k: K) => out.map((o) => o[k]);
    await db.query(
      `UPDATE discrepancy d SET name = u.name, inn = u.inn, crm_url = u.crm_url, onec_url = u.onec_url,
              onec_label = u.onec_label, crm_label = u.crm_label
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS u(id, name, inn, crm_url, onec_url, onec_label, crm_label)
       WHERE d.id = u.id`,
      [col('id'), col('name'), col('inn'), col('crmUrl'), col('onecUrl'), col('onecLabel'), col('crmLabel')],
    );
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}
