import { checkInn, checkKpp, checkOgrn, innKind } from '../common/ru-ids.js';
import type { OneCContact, OneCCounterparty } from '../onec/onec.types.js';
import { transformList } from '../mapping/transform-values.js';

/** One value that fails validation (→ an `invalid_value` discrepancy). `reason` is the checker's English text. */
export interface InvalidFinding {
  field: string;
  value: string;
  reason: string;
}

/**
 * Validates a 1C counterparty: required short name; INN 10/12 digits with check digits (required for
 * legal entities, checked when present for persons); KPP format for legal entities (10-digit INN) when
 * present; OGRN/OGRNIP check digit when present; every phone and e-mail must parse. Pure.
 */
export function validateCounterparty(c: OneCCounterparty): InvalidFinding[] {
  const out: InvalidFinding[] = [];
  if (!c.name.trim()) out.push({ field: 'title', value: '', reason: 'required field is empty' });
  const inn = c.inn.trim();
  if (inn) {
    const r = checkInn(inn);
    if (!r.ok) out.push({ field: 'inn', value: inn, reason: r.reason });
  } else if (c.kind === 'legal') out.push({ field: 'inn', value: '', reason: 'required field is empty' });
  const kpp = c.kpp.trim();
  // A KPP only exists for legal entities; an entrepreneur's or person's empty KPP is correct.
  if (kpp && innKind(inn) !== 'person') {
    const r = checkKpp(kpp);
    if (!r.ok) out.push({ field: 'kpp', value: kpp, reason: r.reason });
  }
  const ogrn = c.regNumber.trim();
  if (ogrn) {
    const r = checkOgrn(ogrn);
    if (!r.ok) out.push({ field: 'ogrn', value: ogrn, reason: r.reason });
  }
  out.push(...contactFindings(c.phones, c.emails));
  return out;
}

/** Validates a 1C contact person: a last or first name is required; phones and e-mails must parse. Pure. */
export function validateContact(c: OneCContact): InvalidFinding[] {
  const out: InvalidFinding[] = [];
  if (!c.lastName.trim() && !c.firstName.trim())
    out.push({ field: 'lastName', value: '', reason: 'required field is empty' });
  out.push(...contactFindings(c.phones, c.emails));
  return out;
}

function contactFindings(phones: readonly string[], emails: readonly string[]): InvalidFinding[] {
  const out: InvalidFinding[] = [];
  for (const v of transformList(phones, ['phone_e164']).invalid)
    out.push({ field: 'phones', value: v, reason: 'not a valid phone number' });
  for (const v of transformList(emails, ['email_lower']).invalid)
    out.push({ field: 'emails', value: v, reason: 'not a valid e-mail address' });
  return out;
}
