import { normalizeEmail, normalizePhone } from '../common/contact-values.js';
import type { Transform } from './mapping.types.js';

/**
 * The value transforms of the mapping (`trim`, `phone_e164`, `email_lower`), pure, shared by sync
 * (what it pushes) and reconciliation (what it compares), so both sides apply the same normalisation.
 */

/** One scalar through the transforms, in order. A phone/e-mail that does not parse gives null. */
export function transformValue(
  value: string | null | undefined,
  transforms: readonly Transform[] = [],
): string | null {
  let v: string | null = value ?? '';
  for (const t of transforms) {
    if (v === null) return null;
    if (t === 'trim') v = v.trim();
    else if (t === 'phone_e164') v = normalizePhone(v);
    else if (t === 'email_lower') v = normalizeEmail(v);
  }
  return v;
}

export interface TransformedList {
  /** Normalised values, de-duplicated, in first-seen order. */
  values: string[];
  /** Raw values that did not survive the transforms (unparseable phones/e-mails). */
  invalid: string[];
}

/** A multi-value field (phones, e-mails) through the transforms; empty raw values are skipped, not invalid. */
export function transformList(
  raw: readonly string[],
  transforms: readonly Transform[] = [],
): TransformedList {
  const values: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const r of raw) {
    if (!r || !r.trim()) continue;
    const v = transformValue(r, transforms);
    if (v === null || v === '') {
      invalid.push(r);
      continue;
    }
    if (!seen.has(v)) {
      seen.add(v);
      values.push(v);
    }
  }
  return { values, invalid };
}

/**
 * Order-insensitive canonical text of a multi-value field for comparison: sorted, joined by ", ".
 * Empty list → "" (so an empty 1C list equals an empty CRM list).
 */
export function canonicalList(values: readonly string[]): string {
  return [...new Set(values)].sort().join(', ');
}

/** The deal title of the mapping: «Заказ клиента {Number} от {DD.MM.YYYY}» (`date` is 1C local `YYYY-MM-DDTHH:MM:SS`). */
export function dealTitle(number: string, date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  const d = m ? `${m[3]}.${m[2]}.${m[1]}` : date;
  return `Заказ клиента ${number.trim()} от ${d}`;
}
