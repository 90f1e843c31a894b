import type { CrmCompanyItem, CrmRequisiteRow, Dataset } from '../dataset/dataset.types.js';
import type { DriftPlan, DriftTarget } from '../dataset/drift.js';

/**
 * Go-live in `npm run demo`: the fake CRM starts as a portal managers already use. The generated data
 * set already plants managers' copies of some 1C counterparties (cross duplicates, no 1C key); this
 * adds cases that matching cannot settle alone, so the review queue has something to show:
 * - `twice`: a counterparty a manager entered twice (two companies with its INN, one of them without KPP);
 * - `shared`: two 1C counterparties with one INN and KPP (the second takes the first's) and one
 *   manager's company with it.
 * The picks are a pure function of the data set (the fake 1C is rebuilt from the seed at every start,
 * so the shared INNs are applied again each time); the companies are added on a first run only.
 */
export interface GoLivePicks {
  twice: Row[];
  shared: [Row, Row][];
}

type Row = Record<string, unknown>;

const TWICE = 3;
const SHARED = 2;

/**
 * Live legal counterparties (10-digit INN, 9-digit KPP) that nothing else in the data set touches: no
 * planted duplicate, invalid value or debt mismatch, no drift op, an INN no other 1C counterparty and
 * no CRM company has. In Ref_Key order, so the same data set gives the same picks.
 */
export function pickGoLive(dataset: Dataset, drift: DriftPlan): GoLivePicks {
  const truth = dataset.truth;
  const avoid = new Set<string>();
  for (const d of truth.duplicates) for (const m of d.members) if (m.system === 'onec') avoid.add(m.id);
  for (const i of truth.invalid) avoid.add(i.ref);
  for (const m of truth.debts.mismatches) avoid.add(m.ref);
  for (const op of drift.ops) {
    if ('ref' in op) avoid.add(op.ref);
    if (op.op === 'addCompany') avoid.add(op.duplicateOf);
  }
  const innCount = new Map<string, number>();
  for (const c of dataset.onec.counterparties) {
    const inn = String(c.ИНН ?? '').trim();
    if (inn) innCount.set(inn, (innCount.get(inn) ?? 0) + 1);
  }
  const crmInns = new Set(dataset.crm.requisites.map((q) => q.RQ_INN.trim()).filter(Boolean));
  const pool = dataset.onec.counterparties
    .filter((c) => {
      const inn = String(c.ИНН ?? '').trim();
      return (
        !c.IsFolder &&
        !c.DeletionMark &&
        !avoid.has(String(c.Ref_Key)) &&
        /^\d{10}$/.test(inn) &&
        /^\d{9}$/.test(String(c.КПП ?? '').trim()) &&
        innCount.get(inn) === 1 &&
        !crmInns.has(inn)
      );
    })
    .sort((a, b) => String(a.Ref_Key).localeCompare(String(b.Ref_Key)));
  const twice = pool.slice(0, TWICE);
  const rest = pool.slice(TWICE, TWICE + 2 * SHARED);
  const shared: [Row, Row][] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) shared.push([rest[i], rest[i + 1]]);
  return { twice, shared };
}

/** The second counterparty of each shared pair takes the first's INN and KPP (in the rows the fake 1C serves). */
export function shareInns(picks: GoLivePicks): void {
  for (const [a, b] of picks.shared) {
    b.ИНН = a.ИНН;
    b.КПП = a.КПП;
  }
}

/**
 * Adds the managers' companies through the fake CRM's own state (the same call as drift's new
 * duplicates): two per `twice` counterparty, one per shared pair. Returns how many.
 */
export async function addManagerCompanies(picks: GoLivePicks, target: DriftTarget): Promise<number> {
  let n = 0;
  for (const c of picks.twice) {
    await target.addCompany(...managerCompany(c, String(c.Description).trim(), true));
    await target.addCompany(...managerCompany(c, `${String(c.Description).trim()} (старая карточка)`, false));
    n += 2;
  }
  for (const [a] of picks.shared) {
    await target.addCompany(...managerCompany(a, String(a.Description).trim(), true));
    n++;
  }
  return n;
}

/** A company a manager typed in (no 1C key), with the counterparty's INN and, when `kpp`, its KPP. */
function managerCompany(
  c: Row,
  title: string,
  kpp: boolean,
): [Omit<CrmCompanyItem, 'id'>, Omit<CrmRequisiteRow, 'ID' | 'ENTITY_ID'>] {
  const at = '2026-08-14T10:00:00+03:00';
  return [
    {
      title,
      createdTime: at,
      updatedTime: at,
      createdBy: 4,
      updatedBy: 4,
      assignedById: 4,
      opened: 'Y',
      companyTypeId: 'CUSTOMER',
      originatorId: null,
      originId: null,
      originVersion: null,
      contactIds: [],
      comments: 'Завёл менеджер',
      hasPhone: 'N',
      hasEmail: 'N',
      fm: [],
    },
    {
      ENTITY_TYPE_ID: '4',
      PRESET_ID: '1',
      NAME: 'Организация',
      XML_ID: null,
      ACTIVE: 'Y',
      RQ_INN: String(c.ИНН).trim(),
      RQ_KPP: kpp ? String(c.КПП).trim() : '',
      RQ_OGRN: '',
      RQ_OGRNIP: '',
      RQ_COMPANY_NAME: title,
      RQ_COMPANY_FULL_NAME: '',
    },
  ];
}

type Counts = Partial<Record<string, number>>;

/** Entities in the order sync handles them (a run's JSON comes back from PostgreSQL in another order). */
const ENTITY_ORDER = ['counterparties', 'contacts', 'deals'];
const ACTIONS = ['create', 'update', 'link', 'review', 'unchanged', 'flag', 'conflict', 'skip'];

/** A dry run's plan per entity: `counterparties — create 1930, link 46, review 7; contacts — create 2821`. */
export function formatPlan(plan: Record<string, Counts>): string {
  return ordered(plan)
    .map(([entity, counts]) => {
      const parts = ACTIONS.filter((a) => (counts[a] ?? 0) > 0).map((a) => `${a} ${counts[a]}`);
      return `${entity} — ${parts.length ? parts.join(', ') : 'nothing to do'}`;
    })
    .join('; ');
}

/**
 * What matching did in a real run (its stats' `linked` and `held`), or null when it did nothing:
 * `46 companies that managers had entered were linked, not duplicated; 7 wait for a decision`.
 */
export function formatLinking(stats: Record<string, Counts>): string | null {
  const n = (e: string, k: string) => stats[e]?.[k] ?? 0;
  const linked = [
    n('counterparties', 'linked')
      ? `${n('counterparties', 'linked')} ${plural(n('counterparties', 'linked'), 'company', 'companies')}`
      : '',
    n('contacts', 'linked')
      ? `${n('contacts', 'linked')} ${plural(n('contacts', 'linked'), 'contact', 'contacts')}`
      : '',
  ].filter(Boolean);
  const held = ordered(stats).reduce((sum, [, s]) => sum + (s.held ?? 0), 0);
  if (!linked.length && !held) return null;
  const total = n('counterparties', 'linked') + n('contacts', 'linked');
  const parts = [
    linked.length
      ? `${linked.join(' and ')} that managers had entered ${total === 1 ? 'was' : 'were'} linked, not duplicated`
      : 'nothing was linked',
  ];
  if (held) parts.push(`${held} ${held === 1 ? 'waits' : 'wait'} for a decision`);
  return parts.join('; ');
}

/** A review item for the guide: `ООО «Ромашка» (ИНН 7701234567): 2 CRM companies have INN 7701234567 — candidates 2051 ООО «Ромашка», 2052 …`. */
export function formatReviewItem(item: {
  name: string;
  inn: string | null;
  reason: string;
  candidates: { crmId: string; title: string }[];
}): string {
  const inn = item.inn ? ` (ИНН ${item.inn})` : '';
  const candidates = item.candidates.map((c) => `${c.crmId} ${c.title}`).join(', ');
  return `${item.name}${inn}: ${item.reason} — candidates ${candidates}`;
}

function ordered<T>(byEntity: Record<string, T>): [string, T][] {
  const rank = (e: string) => (ENTITY_ORDER.includes(e) ? ENTITY_ORDER.indexOf(e) : ENTITY_ORDER.length);
  return Object.entries(byEntity).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
