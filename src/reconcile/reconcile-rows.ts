import type { CrmCompany, CrmContact, CrmDeal, CrmInvoice } from '../crm/crm.types.js';
import type { EntityMapping, Mapping, Transform } from '../mapping/mapping.types.js';
import { canonicalList, dealTitle, transformList, transformValue } from '../mapping/transform-values.js';
import type { OneCContact, OneCCounterparty, OneCDebt, OneCOrder } from '../onec/onec.types.js';
import type { StageRow } from './reconcile-stage.repository.js';

/**
 * Canonical records → staging rows (column order of STAGE_TABLES), both sides through the same
 * mapping transforms, so SQL compares like with like. Pure.
 */

const tf = (m: EntityMapping, field: string): Transform[] => m.fields[field]?.transforms ?? [];
const one = (m: EntityMapping, field: string, v: string | null | undefined) =>
  transformValue(v ?? '', tf(m, field)) ?? '';
const many = (m: EntityMapping, field: string, vs: readonly string[]) =>
  canonicalList(transformList(vs, tf(m, field)).values);

export function onecCounterpartyRow(c: OneCCounterparty, mapping: Mapping): StageRow {
  const m = mapping.counterparties;
  return [
    c.ref,
    c.deletionMark,
    one(m, 'title', c.name),
    one(m, 'fullName', c.fullName),
    one(m, 'inn', c.inn),
    one(m, 'kpp', c.kpp),
    one(m, 'ogrn', c.regNumber),
    many(m, 'phones', c.phones),
    many(m, 'emails', c.emails),
  ];
}

export function onecContactRow(c: OneCContact, mapping: Mapping): StageRow {
  const m = mapping.contacts;
  return [
    c.ref,
    c.deletionMark,
    c.ownerRef,
    one(m, 'lastName', c.lastName),
    one(m, 'firstName', c.firstName),
    one(m, 'middleName', c.middleName),
    many(m, 'phones', c.phones),
    many(m, 'emails', c.emails),
  ];
}

/** Expected stage: the deletion stage for a deletion-marked order, else the status map's (null when unmapped). */
export function expectedStage(o: OneCOrder, mapping: Mapping): string | null {
  if (o.deletionMark) return mapping.deals.deletedStage;
  return mapping.deals.statusMap[o.status] ?? null;
}

export function onecOrderRow(o: OneCOrder, mapping: Mapping): StageRow {
  const since = mapping.deals.ordersSince;
  const inScope = !since || o.date.slice(0, 10) >= since;
  return [
    o.ref,
    o.deletionMark,
    o.posted && !o.deletionMark && inScope,
    o.counterpartyRef,
    dealTitle(o.number, o.date),
    o.amount,
    o.status,
    o.posted && inScope ? expectedStage(o, mapping) : null,
    inScope,
  ];
}

export const onecDebtRow = (d: OneCDebt): StageRow => [d.counterpartyRef, d.amount];

export function crmCompanyRow(c: CrmCompany, mapping: Mapping): StageRow {
  const m = mapping.counterparties;
  const t = c.taxIds;
  return [
    c.id,
    c.external?.source ?? null,
    c.external?.key ?? null,
    one(m, 'title', c.title),
    many(m, 'phones', c.phones),
    many(m, 'emails', c.emails),
    t ? one(m, 'inn', t.inn) : null,
    t ? one(m, 'kpp', t.kpp) : null,
    t ? one(m, 'fullName', t.fullName) : null,
    t ? one(m, 'ogrn', t.ogrn) : null,
    t?.owned ?? false,
  ];
}

export function crmContactRow(c: CrmContact, mapping: Mapping): StageRow {
  const m = mapping.contacts;
  return [
    c.id,
    c.external?.source ?? null,
    c.external?.key ?? null,
    c.companyId,
    one(m, 'lastName', c.lastName),
    one(m, 'firstName', c.firstName),
    one(m, 'middleName', c.middleName),
    many(m, 'phones', c.phones),
    many(m, 'emails', c.emails),
  ];
}

export const crmDealRow = (d: CrmDeal): StageRow => [
  d.id,
  d.external?.source ?? null,
  d.external?.key ?? null,
  d.companyId,
  d.title,
  d.amount,
  d.currency,
  d.stage,
];

export const crmInvoiceRow = (i: CrmInvoice): StageRow => [i.id, i.companyId, i.stage, i.amount];
