import { normalizeEmail, normalizePhone } from '../../common/contact-values.js';
import { checkInn, checkKpp, checkOgrn } from '../../common/ru-ids.js';

/**
 * Identifiers as evidence: INN/KPP/OGRN only when their check digits hold (an invalid number says
 * nothing either way), phones in E.164, e-mails lower-case with free-mail domains told apart. Pure.
 */

/**
 * Public mailbox providers: an address there belongs to a person, not to the company, so a shared
 * address is weaker evidence and a shared domain is none.
 */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'mail.ru',
  'bk.ru',
  'list.ru',
  'inbox.ru',
  'internet.ru',
  'mail.ua',
  'yandex.ru',
  'ya.ru',
  'yandex.com',
  'yandex.by',
  'yandex.kz',
  'yandex.ua',
  'narod.ru',
  'rambler.ru',
  'lenta.ru',
  'autorambler.ru',
  'ro.ru',
  'myrambler.ru',
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'zoho.com',
  'qip.ru',
  'pochta.ru',
  'e1.ru',
  'ngs.ru',
  'nm.ru',
  'hotbox.ru',
  'land.ru',
  'km.ru',
  'tut.by',
  'ukr.net',
  'i.ua',
  'rambler.ua',
  'vk.com',
  'mail.com',
]);

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL_DOMAINS.has(domain);
}

function digitsOf(raw: string | null | undefined): string {
  return (raw ?? '').replace(/[\s-]/g, '');
}

/** A valid INN (10 or 12 digits with check digits), or null. */
export function validInn(raw: string | null | undefined): string | null {
  const v = digitsOf(raw);
  return v && checkInn(v).ok ? v : null;
}

/** A valid KPP, or null (upper-cased: the reason code may hold Latin letters). */
export function validKpp(raw: string | null | undefined): string | null {
  const v = digitsOf(raw).toUpperCase();
  return v && checkKpp(v).ok ? v : null;
}

/** A valid OGRN (13 digits) or OGRNIP (15 digits), or null. */
export function validOgrn(raw: string | null | undefined): string | null {
  const v = digitsOf(raw);
  return v && checkOgrn(v).ok ? v : null;
}

/** Distinct E.164 phones; unparseable ones are dropped. A single field with `;`/`,` lists is split. */
export function normalizePhones(raw: readonly string[]): string[] {
  const out = new Set<string>();
  for (const item of raw) {
    for (const part of item.split(/[;,]/)) {
      const p = normalizePhone(part);
      if (p) out.add(p);
    }
  }
  return [...out];
}

/** Distinct lower-case e-mails; invalid ones are dropped. */
export function normalizeEmails(raw: readonly string[]): string[] {
  const out = new Set<string>();
  for (const item of raw) {
    for (const part of item.split(/[;,\s]/)) {
      const e = normalizeEmail(part);
      if (e) out.add(e);
    }
  }
  return [...out];
}

/**
 * INN as a number that keeps leading zeros apart (`0274…` is region 02): a 12-digit INN is offset by 10^13.
 * Exact in a double (< 2^53).
 */
export function innCode(inn: string): number {
  return Number(inn) + (inn.length === 12 ? 1e13 : 0);
}

/** E.164 phone as a number (the country code never starts with 0). */
export function phoneCode(phone: string): number {
  return Number(phone.slice(1));
}
