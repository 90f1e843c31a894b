import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Phones and e-mails as sync writes them and reconciliation compares them: phones in E.164
 * (default country RU: `8 (495) 123-45-67` → `+74951234567`), e-mails trimmed and lower-case.
 * Pure; a value that does not parse gives null (and is reported as invalid_value by the caller).
 */

export function normalizePhone(raw: string): string | null {
  const text = raw.trim();
  if (!text) return null;
  // 1C often stores `74951234567` (digits only, with the country code): treat 11 digits starting with 7/8 as Russian.
  const digits = text.replace(/\D/g, '');
  let candidate = text;
  if (!text.startsWith('+') && digits.length === 11 && (digits[0] === '7' || digits[0] === '8')) {
    candidate = `+7${digits.slice(1)}`;
  }
  const parsed = parsePhoneNumberFromString(candidate, 'RU');
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

export function normalizeEmail(raw: string): string | null {
  const text = raw.trim().toLowerCase();
  if (!text) return null;
  return EMAIL.test(text) ? text : null;
}

/** Masks a phone for reports: `+74951234567` → `+7******4567`. */
export function maskPhone(phone: string): string {
  const p = phone.trim();
  if (p.length <= 6) return '*'.repeat(p.length);
  const head = p.startsWith('+') ? p.slice(0, 2) : p.slice(0, 1);
  return head + '*'.repeat(Math.max(0, p.length - head.length - 4)) + p.slice(-4);
}

/** Masks an e-mail for reports: `ivan@domain.ru` → `i***@domain.ru`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
