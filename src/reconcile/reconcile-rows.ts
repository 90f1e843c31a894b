import type { CrmCompany, CrmContact, CrmDeal, CrmInvoice, CrmRequisite } from '../crm/crm.types.js';
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
    one(m, 'name', c.firstName),
    one(m, 'secondName', c.middleName),
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
  return [
    c.id,
    c.originatorId,
    c.originId,
    one(m, 'title', c.title),
    many(
      m,
      'phones',
      c.phones.map((p) => p.value),
    ),
    many(
      m,
      'emails',
      c.emails.map((e) => e.value),
    ),
  ];
}

export function crmRequisiteRow(r: CrmRequisite, mapping: Mapping): StageRow {
  const m = mapping.counterparties;
  return [
    r.id,
    r.companyId,
    r.xmlId,
    one(m, 'inn', r.inn),
    one(m, 'kpp', r.kpp),
    one(m, 'fullName', r.fullName),
    one(m, 'ogrn', r.ogrn),
  ];
}

export function crmContactRow(c: CrmContact, mapping: Mapping): StageRow {
  const m = mapping.contacts;
  return [
    c.id,
    c.originatorId,
    c.originId,
    c.companyId,
    one(m, 'lastName', c.lastName),
    one(m, 'name', c.name),
    one(m, 'secondName', c.secondName),
    many(
      m,
      'phones',
      c.phones.map((p) => p.value),
    ),
    many(
      m,
      'emails',
      c.emails.map((e) => e.value),
    ),
  ];
}

export const crmDealRow = (d: CrmDeal): StageRow => [
  d.id,
  d.originatorId,
  d.originId,
  d.companyId,
  d.title,
  d.opportunity,
  d.currencyId,
  d.stageId,
];

export const crmInvoiceRow = (i: CrmInvoice): StageRow => [i.id, i.companyId, i.stageId, i.opportunity];
