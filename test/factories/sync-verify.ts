import { toMoneyString } from '../../src/common/money.js';
import { simMapping } from '../../sim/mapping.js';
import { dealTitle } from '../../src/mapping/transform-values.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import type { OneCContact, OneCCounterparty, OneCOrder } from '../../src/onec/onec.types.js';
import type { Bitrix24Simulator } from '../../sim/bitrix24/index.js';

export interface SyncCheck {
  duplicates: string[];
  missing: string[];
  wrong: string[];
}

async function all<T>(onec: OneCPort, entity: 'counterparties' | 'contacts' | 'deals'): Promise<T[]> {
  const out: T[] = [];
  for await (const page of onec.readAll({ entity })) out.push(...(page.records as T[]));
  return out;
}

/**
 * Compares the fake portal with 1C's latest state: every live 1C record exactly once in the CRM
 * (by origin), requisite once per company, fields equal to 1C's. Returns what is wrong (empty = right).
 */
export async function checkCrmAgainst1C(
  onec: OneCPort,
  sim: Bitrix24Simulator,
  originatorId = 'sverka-1c',
): Promise<SyncCheck> {
  const m = simMapping('bitrix24', originatorId);
  const res: SyncCheck = { duplicates: [], missing: [], wrong: [] };
  const index = (entity: 'companies' | 'contacts' | 'deals') => {
    const by = new Map<string, Record<string, unknown>[]>();
    for (const i of sim.state.list(entity))
      if (i.originatorId === originatorId)
        by.set(String(i.originId), [...(by.get(String(i.originId)) ?? []), i]);
    for (const [ref, items] of by)
      if (items.length > 1) res.duplicates.push(`${entity} ${ref} ×${items.length}`);
    return by;
  };
  const companies = index('companies');
  const contacts = index('contacts');
  const deals = index('deals');
  const reqs = new Map<string, Record<string, unknown>[]>();
  for (const r of sim.state.requisites())
    if (r.XML_ID) reqs.set(r.XML_ID, [...(reqs.get(r.XML_ID) ?? []), r]);
  for (const [ref, rs] of reqs) if (rs.length > 1) res.duplicates.push(`requisite ${ref} ×${rs.length}`);
  const companyOf = new Map<string, string>();
  for (const c of await all<OneCCounterparty>(onec, 'counterparties')) {
    if (c.deletionMark) continue;
    const got = companies.get(c.ref)?.[0];
    if (!got) {
      res.missing.push(`company ${c.ref}`);
      continue;
    }
    companyOf.set(c.ref, String(got.id));
    if (got.title !== c.name.trim())
      res.wrong.push(`company ${c.ref} title "${String(got.title)}" ≠ "${c.name}"`);
    const rq = reqs.get(c.ref)?.[0];
    if (!rq) res.missing.push(`requisite ${c.ref}`);
    else {
      if (rq.ENTITY_ID !== String(got.id))
        res.wrong.push(`requisite ${c.ref} on company ${String(rq.ENTITY_ID)}`);
      if (rq.RQ_COMPANY_NAME !== c.name.trim()) res.wrong.push(`requisite ${c.ref} name`);
      if (rq.RQ_INN !== c.inn.trim()) res.wrong.push(`requisite ${c.ref} INN`);
    }
  }
  for (const c of await all<OneCContact>(onec, 'contacts')) {
    if (c.deletionMark || !c.ownerRef || !companyOf.has(c.ownerRef)) continue;
    const got = contacts.get(c.ref)?.[0];
    if (!got) res.missing.push(`contact ${c.ref}`);
    else {
      if (got.lastName !== c.lastName.trim()) res.wrong.push(`contact ${c.ref} lastName`);
      if (String(got.companyId) !== companyOf.get(c.ownerRef)) res.wrong.push(`contact ${c.ref} company`);
    }
  }
  for (const o of await all<OneCOrder>(onec, 'deals')) {
    if (
      o.deletionMark ||
      !o.posted ||
      !o.counterpartyRef ||
      !companyOf.has(o.counterpartyRef) ||
      !m.deals.statusMap[o.status]
    )
      continue;
    const got = deals.get(o.ref)?.[0];
    if (!got) res.missing.push(`deal ${o.ref}`);
    else {
      if (got.title !== dealTitle(o.number, o.date)) res.wrong.push(`deal ${o.ref} title`);
      if (toMoneyString(String(got.opportunity)) !== toMoneyString(o.amount))
        res.wrong.push(`deal ${o.ref} amount`);
      if (got.stageId !== m.deals.statusMap[o.status]) res.wrong.push(`deal ${o.ref} stage`);
    }
  }
  return res;
}
