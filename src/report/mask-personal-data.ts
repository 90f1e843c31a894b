import { maskEmail, maskPhone, normalizePhone } from '../common/contact-values.js';
import { redactSecrets } from '../common/describe-error.js';

/**
 * Personal data masking for everything the report shows (mail parts, CSV, API rendering). Pure.
 *
 * - E-mail addresses anywhere in a text → `i***@domain.ru`.
 * - Phone numbers anywhere in a text → `+7******4567`. A digit run counts as a phone when it starts
 *   with `+`, or is 11 digits starting with 7 or 8, or has 10–15 digits written with phone separators
 *   (spaces, brackets, hyphens). Bare 10/12/13/15-digit runs are left alone: those are INN/OGRN,
 *   which the report must show. GUIDs and hex ids are not touched (bounded by letters/hyphens).
 * - Values of contact fields (`phones`, `emails`, …) are masked token by token, even when they do
 *   not parse (an invalid phone is still somebody's phone). A phone that does not parse keeps its
 *   shape, the first four digits (country and area code) and the last two — `+7 (495) **-34` — so a
 *   reader sees what is wrong; an e-mail keeps its first letter and its domain.
 * - Credentials in URLs, webhook secrets, bearer tokens and API keys are redacted.
 */

const EMAIL_IN_TEXT =
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;
// A candidate phone: optional +, digits with separators, bounded by no word character or hyphen.
const PHONE_IN_TEXT = /(?<![\w+*-])(\+?\d[\d\s().-]{5,22}\d)(?![\w*-])/g;

function looksLikePhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 10 || digits.length > 15) return false;
  if (candidate.startsWith('+')) return true;
  if (digits.length === 11 && (digits[0] === '7' || digits[0] === '8')) return true;
  // Written with phone-like separators (a money amount has only one dot and no spaces/brackets).
  return /[\s()-]/.test(candidate) && !/^\d+\.\d{2}$/.test(candidate);
}

/** A phone as E.164-ish text for masking: `8 (495) 123-45-67` → `+74951234567`. */
function phoneForMask(candidate: string): string {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length === 11 && (digits[0] === '8' || digits[0] === '7') && !candidate.startsWith('+'))
    return `+7${digits.slice(1)}`;
  return candidate.startsWith('+') ? `+${digits}` : digits;
}

/** Masks every e-mail and phone found in free text, and redacts secrets. */
export function maskText(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  let out = redactSecrets(text);
  out = out.replace(EMAIL_IN_TEXT, (m) => maskEmail(m));
  out = out.replace(PHONE_IN_TEXT, (m) => (looksLikePhone(m) ? maskPhone(phoneForMask(m)) : m));
  return out;
}

/** Field names whose values are phones or e-mails (canonical names of the mapping and variants). */
export function isContactField(field: string | null | undefined): boolean {
  return !!field && /phone|email|e-mail|mail|телефон|почт/i.test(field);
}

/** Words a phone field may hold that are not personal (extension and kind markers). */
const PHONE_WORDS = /^(доб|ext|тел|tel|моб|mob|факс|fax|раб|вн)$/i;

/**
 * A phone that does not parse, masked but readable: separators and brackets kept, digits hidden except
 * the first four (country and area code, from eight digits up; else a leading `+7`/`8` alone) and the
 * last two, never all of them; words other than "доб."/"ext" and the like keep only their first letter.
 * `+7 (495) 12-34` → `+7 (495) **-34`, `+7 1288` → `+7 **88`.
 */
export function maskUnparsedPhone(raw: string): string {
  const n = raw.replace(/\D/g, '').length;
  const tail = n >= 3 ? 2 : 0;
  // A leading country digit (+7, 8) is no one's personal data; the area code is shown from 8 digits up.
  let head = n >= 8 ? 4 : n >= 6 || /^\s*(\+\s*7|[78])(\D|$)/.test(raw) ? 1 : 0;
  while (head > 0 && head + tail >= n) head--;
  let i = 0;
  return raw
    .replace(/\d/g, (d) => (i++ < head || i > n - tail ? d : '*'))
    .replace(/[A-Za-zА-ЯЁа-яё]{2,}/g, (w) => (PHONE_WORDS.test(w) ? w : `${w[0]}***`));
}

/** An e-mail token: `i***@domain.ru`; without an `@`, the first letter and everything from the first dot. */
function maskEmailToken(t: string): string {
  if (t.includes('@')) return maskEmail(t);
  const dot = t.indexOf('.');
  return `${t[0] ?? ''}***${dot > 0 ? t.slice(dot) : ''}`;
}

/**
 * Masks one value of a contact field: each comma/semicolon-separated token becomes a masked e-mail
 * (an `emails` field, or a token with an `@`) or a masked phone (a valid one shows only its last four
 * digits; one that does not parse keeps its shape, see maskUnparsedPhone).
 */
export function maskContactValue(value: string | null | undefined, field?: string | null): string {
  if (value === null || value === undefined) return '';
  if (!value.trim()) return value;
  const emailField = !!field && /mail|почт/i.test(field);
  return value
    .split(/([,;]\s*)/)
    .map((part, i) => {
      if (i % 2 === 1 || !part.trim()) return part;
      const t = part.trim();
      if (emailField || t.includes('@')) return maskEmailToken(t);
      const phone = normalizePhone(t);
      return phone ? maskPhone(phone) : maskUnparsedPhone(t);
    })
    .join('');
}

/** Masks a value for display: contact fields token by token, everything else as free text. */
export function maskValue(value: string | null | undefined, field: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return isContactField(field) ? maskContactValue(value, field) : maskText(value);
}

/**
 * Masks a detail text that quotes raw values: the raw contact values are replaced by their masked
 * forms first (so an unparseable phone quoted in the detail is masked too), then the text is scanned.
 */
export function maskDetail(
  detail: string | null | undefined,
  field: string | null | undefined,
  raw: (string | null)[],
): string {
  if (detail === null || detail === undefined) return '';
  let out = detail;
  if (isContactField(field)) {
    const values = raw
      .filter((v): v is string => !!v && v.trim().length > 0)
      .sort((a, b) => b.length - a.length);
    for (const v of values) out = out.split(v).join(maskContactValue(v, field));
  }
  return maskText(out);
}
