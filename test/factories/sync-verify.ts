import type { CrmCompanyCandidate } from '../../src/crm/crm.types.js';
import { matchCounterparties } from '../../src/sync/match-records.js';
import type { Dataset } from '../../sim/dataset/index.js';
import { toMoneyString } from '../../src/common/money.js';
import { simMapping } from '../../sim/mapping.js';
import { dealTitle } from '../../src/mapping/transform-values.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import type { OneCContact, OneCCounterparty, OneCOrder } from '../../src/onec/onec.types.js';
import type { Bitrix24Simulator } from '../../sim/bitrix24/index.js';
import { WON_STATUS, LOST_STATUS, type AmoCrmSimulator, type AmoEntity } from '../../sim/amocrm/index.js';

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

/** Whole rubles of a two-digit amount, half away from zero (a lead's `price`: docs/amocrm.md "Amounts"). */
function wholeRubles(amount: string): number {
  const v = Number(amount);
  return Math.sign(v) * Math.round(Math.abs(v));
}

/**
 * The amoCRM equivalent of checkCrmAgainst1C, on the fake account: every live 1C record exactly once
 * (by its «Ключ 1С» text `<originatorId>:<Ref_Key>`), with what the adapter writes (docs/amocrm.md
 * "Where things go"): a company's `name` and «ИНН»; a contact's `last_name`, its `name` «Фамилия Имя
 * Отчество» and its link to its company; a lead's `name`, `price` in whole rubles, its status in the
 * main pipeline (the mapping's status name, or 142/143) and its link to its company. Returns what is
 * wrong (empty = right).
 */
export async function checkAmoCrmAgainst1C(
  onec: OneCPort,
  sim: AmoCrmSimulator,
  originatorId = 'sverka-1c',
): Promise<SyncCheck> {
  const m = simMapping('amocrm', originatorId);
  const s = sim.state;
  const res: SyncCheck = { duplicates: [], missing: [], wrong: [] };
  const prefix = `${originatorId}:`;
  const index = (entity: AmoEntity) => {
    const by = new Map<string, Record<string, unknown>[]>();
    for (const i of s.list(entity)) {
      const key = s.valueOf(entity, Number(i.id), 'Ключ 1С');
      if (key?.startsWith(prefix)) {
        const ref = key.slice(prefix.length);
        by.set(ref, [...(by.get(ref) ?? []), i]);
      }
    }
    for (const [ref, items] of by)
      if (items.length > 1) res.duplicates.push(`${entity} ${ref} ×${items.length}`);
    return by;
  };
  const companies = index('companies');
  const contacts = index('contacts');
  const leads = index('leads');
  const companyOf = new Map<string, number>();
  for (const c of await all<OneCCounterparty>(onec, 'counterparties')) {
    if (c.deletionMark) continue;
    const got = companies.get(c.ref)?.[0];
    if (!got) {
      res.missing.push(`company ${c.ref}`);
      continue;
    }
    const id = Number(got.id);
    companyOf.set(c.ref, id);
    if (got.name !== c.name.trim())
      res.wrong.push(`company ${c.ref} name "${String(got.name)}" ≠ "${c.name}"`);
    if ((s.valueOf('companies', id, 'ИНН') ?? '') !== c.inn.trim()) res.wrong.push(`company ${c.ref} INN`);
  }
  for (const c of await all<OneCContact>(onec, 'contacts')) {
    if (c.deletionMark || !c.ownerRef || !companyOf.has(c.ownerRef)) continue;
    const got = contacts.get(c.ref)?.[0];
    if (!got) res.missing.push(`contact ${c.ref}`);
    else {
      const id = Number(got.id);
      if (got.last_name !== c.lastName.trim()) res.wrong.push(`contact ${c.ref} last_name`);
      const full = [c.lastName, c.firstName, c.middleName]
        .map((w) => w.trim())
        .filter(Boolean)
        .join(' ');
      if (got.name !== full) res.wrong.push(`contact ${c.ref} name "${String(got.name)}" ≠ "${full}"`);
      if (s.companyOf('contacts', id) !== companyOf.get(c.ownerRef))
        res.wrong.push(`contact ${c.ref} company`);
    }
  }
  const pipeline = s.mainPipeline();
  const statusIdOf = (stage: string) =>
    stage === String(WON_STATUS) || stage === String(LOST_STATUS)
      ? Number(stage)
      : s.status(pipeline.id, stage)?.id;
  for (const o of await all<OneCOrder>(onec, 'deals')) {
    if (
      o.deletionMark ||
      !o.posted ||
      !o.counterpartyRef ||
      !companyOf.has(o.counterpartyRef) ||
      !m.deals.statusMap[o.status]
    )
      continue;
    const got = leads.get(o.ref)?.[0];
    if (!got) res.missing.push(`lead ${o.ref}`);
    else {
      const id = Number(got.id);
      if (got.name !== dealTitle(o.number, o.date)) res.wrong.push(`lead ${o.ref} name`);
      if (got.price !== wholeRubles(o.amount))
        res.wrong.push(`lead ${o.ref} price ${String(got.price)} ≠ ${wholeRubles(o.amount)} (${o.amount})`);
      const status = statusIdOf(m.deals.statusMap[o.status]);
      if (status === undefined || got.status_id !== status || got.pipeline_id !== pipeline.id)
        res.wrong.push(`lead ${o.ref} status ${String(got.status_id)} ≠ ${String(status)}`);
      if (s.companyOf('leads', id) !== companyOf.get(o.counterpartyRef))
        res.wrong.push(`lead ${o.ref} company`);
    }
  }
  return res;
}

/**
 * How many of the data set's live 1C counterparties the first sync adopts instead of creating: those
 * whose INN (+KPP) is on exactly one unowned company of the CRM seed and on no other live 1C counterparty
 * — matching's own rule (src/sync/match-records.ts) applied to the seed.
 */
export function crossAdoptable(dataset: Dataset): number {
  const live = (dataset.onec.counterparties as Record<string, unknown>[]).filter(
    (r) => !r.IsFolder && !r.DeletionMark,
  );
  const parties = live.map((r) => ({
    ref: String(r.Ref_Key),
    inn: String(r.ИНН ?? ''),
    kpp: String(r.КПП ?? ''),
  }));
  const byCompany = new Map<string, CrmCompanyCandidate>();
  for (const q of dataset.crm.requisites) {
    const id = String(q.ENTITY_ID);
    const c = byCompany.get(id) ?? { id, title: '', external: null, taxIds: [], responsibleId: null };
    c.taxIds.push({
      kind: 'legal',
      inn: String(q.RQ_INN ?? ''),
      kpp: String(q.RQ_KPP ?? ''),
      ogrn: '',
      fullName: '',
      name: '',
    });
    byCompany.set(id, c);
  }
  return matchCounterparties({
    records: parties,
    onecSide: parties,
    crm: [...byCompany.values()],
    onAmbiguous: 'hold',
  }).filter((d) => d.action === 'link').length;
}
