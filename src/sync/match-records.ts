import { normalizeEmail, normalizePhone } from '../common/contact-values.js';
import type { CrmCompanyCandidate, CrmContact, CrmTaxIds } from '../crm/crm.types.js';

/**
 * Matching before create (README.md#going-live), pure. A 1C record without a link is compared with the
 * CRM records nobody owns (no external key): exactly one candidate on each side → link; more than one on
 * either side → review (held for an operator, or created when the mapping says `onAmbiguous: create`);
 * none → create. Fuzzy look-alikes are never linked here: only an identical INN (+KPP) or, for contact
 * persons, the same last name with the same e-mail or phone inside the linked company.
 */

/** One candidate CRM record as a review item shows it. */
export interface MatchCandidate {
  crmId: string;
  title: string;
  inn: string | null;
  kpp: string | null;
  reason: string;
}

export type MatchDecision =
  | { ref: string; action: 'create' }
  | {
      ref: string;
      action: 'link';
      crmId: string;
      matchedTaxIds?: { inn: string; kpp: string };
      reason: string;
    }
  | { ref: string; action: 'review'; candidates: MatchCandidate[]; reason: string };

/** A live 1C counterparty without a link, as matching sees it. */
export interface OneCParty {
  ref: string;
  inn: string;
  kpp: string;
}

/** Digits only. */
export function digits(s: string | null | undefined): string {
  return (s ?? '').replace(/\D/g, '');
}

/**
 * Whether CRM tax details belong to the 1C party with this INN/KPP: the same INN; for a 10-digit INN (a
 * legal entity) also the same KPP when the CRM's tax details have one (another KPP is another branch).
 */
export function taxIdsMatch(inn: string, kpp: string, tax: Pick<CrmTaxIds, 'inn' | 'kpp'>): boolean {
  const i = digits(inn);
  if (i.length !== 10 && i.length !== 12) return false;
  if (digits(tax.inn) !== i) return false;
  if (i.length !== 10) return true;
  const crmKpp = digits(tax.kpp);
  return !crmKpp || crmKpp === digits(kpp);
}

/**
 * Counterparty ↔ company by INN (+KPP). `records`: the unlinked live 1C counterparties to decide now;
 * `onecSide`: every live unlinked 1C counterparty (in scope) — the 1C side of "exactly one on each side";
 * `crm`: the companies the CRM holds with those INNs (any owner; owned ones are never candidates).
 */
export function matchCounterparties(input: {
  records: readonly OneCParty[];
  onecSide: readonly OneCParty[];
  crm: readonly CrmCompanyCandidate[];
  onAmbiguous: 'hold' | 'create';
}): MatchDecision[] {
  const unowned = input.crm.filter((c) => c.external === null);
  const byInn = new Map<string, CrmCompanyCandidate[]>();
  for (const c of unowned)
    for (const t of c.taxIds) {
      const i = digits(t.inn);
      if (!i) continue;
      const list = byInn.get(i) ?? [];
      if (!list.includes(c)) list.push(c);
      byInn.set(i, list);
    }
  const onecByInn = new Map<string, OneCParty[]>();
  for (const p of input.onecSide) {
    const i = digits(p.inn);
    if (!i) continue;
    const list = onecByInn.get(i) ?? [];
    list.push(p);
    onecByInn.set(i, list);
  }
  return input.records.map((r): MatchDecision => {
    const inn = digits(r.inn);
    if (inn.length !== 10 && inn.length !== 12) return { ref: r.ref, action: 'create' };
    const candidates: { company: CrmCompanyCandidate; tax: CrmTaxIds }[] = [];
    for (const c of byInn.get(inn) ?? []) {
      const tax = c.taxIds.find((t) => taxIdsMatch(inn, r.kpp, t));
      if (tax) candidates.push({ company: c, tax });
    }
    if (!candidates.length) return { ref: r.ref, action: 'create' };
    const shown = candidates.map(({ company, tax }) => ({
      crmId: company.id,
      title: company.title,
      inn: digits(tax.inn) || null,
      kpp: digits(tax.kpp) || null,
      reason: digits(tax.kpp)
        ? `same INN ${inn} and KPP ${digits(tax.kpp)}`
        : `same INN ${inn} (no KPP in the CRM)`,
    }));
    const ambiguous = (reason: string): MatchDecision =>
      input.onAmbiguous === 'create'
        ? { ref: r.ref, action: 'create' }
        : { ref: r.ref, action: 'review', candidates: shown, reason };
    if (candidates.length > 1) return ambiguous(`${candidates.length} CRM companies have INN ${inn}`);
    const { company, tax } = candidates[0];
    const rivals = (onecByInn.get(inn) ?? []).filter(
      (p) => p.ref !== r.ref && taxIdsMatch(p.inn, p.kpp, tax),
    );
    if (rivals.length)
      return ambiguous(`${rivals.length + 1} 1C counterparties match the CRM company with INN ${inn}`);
    return {
      ref: r.ref,
      action: 'link',
      crmId: company.id,
      matchedTaxIds: { inn: digits(tax.inn), kpp: digits(tax.kpp) },
      reason: shown[0].reason,
    };
  });
}

/** A contact person without a link, as matching sees it: normalised last name, e-mails and phones. */
export interface OneCPerson {
  ref: string;
  companyId: string;
  lastName: string;
  emails: readonly string[];
  phones: readonly string[];
}

/** Last names compared: case, spaces and ё/е do not matter. */
export function sameLastName(a: string, b: string): boolean {
  const n = (s: string) => s.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ');
  return n(a) !== '' && n(a) === n(b);
}

function contactReason(p: OneCPerson, c: CrmContact): string | null {
  if (!sameLastName(p.lastName, c.lastName)) return null;
  const emails = new Set(c.emails.map((e) => normalizeEmail(e)).filter((e): e is string => !!e));
  const email = p.emails.find((e) => emails.has(e));
  if (email) return `same last name and e-mail`;
  const phones = new Set(c.phones.map((x) => normalizePhone(x)).filter((x): x is string => !!x));
  const phone = p.phones.find((x) => phones.has(x));
  if (phone) return `same last name and phone`;
  return null;
}

/**
 * Contact person ↔ contact: an unowned contact of the person's (linked) company with the same last name
 * and the same normalised e-mail or phone. Several CRM contacts, or several 1C persons of the company
 * taking the same contact → review.
 */
export function matchContacts(input: {
  records: readonly OneCPerson[];
  crm: readonly CrmContact[];
  onAmbiguous: 'hold' | 'create';
}): MatchDecision[] {
  const unowned = input.crm.filter((c) => c.external === null);
  const found = input.records.map((p) => ({
    p,
    candidates: unowned
      .filter((c) => c.companyId === p.companyId)
      .map((c) => ({ c, reason: contactReason(p, c) }))
      .filter((x): x is { c: CrmContact; reason: string } => x.reason !== null),
  }));
  const takers = new Map<string, number>();
  for (const f of found) for (const { c } of f.candidates) takers.set(c.id, (takers.get(c.id) ?? 0) + 1);
  return found.map(({ p, candidates }): MatchDecision => {
    if (!candidates.length) return { ref: p.ref, action: 'create' };
    const shown = candidates.map(({ c, reason }) => ({
      crmId: c.id,
      title: [c.lastName, c.firstName, c.middleName].filter(Boolean).join(' '),
      inn: null,
      kpp: null,
      reason,
    }));
    const ambiguous = (reason: string): MatchDecision =>
      input.onAmbiguous === 'create'
        ? { ref: p.ref, action: 'create' }
        : { ref: p.ref, action: 'review', candidates: shown, reason };
    if (candidates.length > 1) return ambiguous(`${candidates.length} CRM contacts of the company match`);
    const only = candidates[0];
    const n = takers.get(only.c.id) ?? 0;
    if (n > 1) return ambiguous(`${n} 1C contact persons match the same CRM contact`);
    return { ref: p.ref, action: 'link', crmId: only.c.id, reason: only.reason };
  });
}
