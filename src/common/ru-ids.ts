/**
 * Russian legal identifiers: INN (ИНН), KPP (КПП), OGRN (ОГРН), OGRNIP (ОГРНИП).
 * Check-digit rules of the Federal Tax Service. Pure; used by validation, dedupe, sync and the
 * data-set generator (which also uses the `*CheckDigits` helpers to make valid numbers).
 */

const INN10_W = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_W1 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_W2 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function weighted(digits: string, weights: number[]): number {
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += Number(digits[i]) * weights[i];
  return (s % 11) % 10;
}

/** Completes a 9-digit (legal entity) or 10-digit (person) INN body with its check digit(s). */
export function innWithCheckDigits(body: string): string {
  if (/^\d{9}$/.test(body)) return body + weighted(body, INN10_W);
  if (/^\d{10}$/.test(body)) {
    const d11 = weighted(body, INN12_W1);
    const d12 = weighted(body + d11, INN12_W2);
    return `${body}${d11}${d12}`;
  }
  throw new RangeError('INN body must have 9 or 10 digits');
}

export type InnKind = 'legal' | 'person';

export type IdCheck = { ok: true } | { ok: false; reason: string };

/** INN: 10 digits (legal entity) or 12 digits (person, ИП), with valid check digits. */
export function checkInn(inn: string): IdCheck {
  if (!/^\d+$/.test(inn)) return { ok: false, reason: 'INN must contain digits only' };
  if (inn.length !== 10 && inn.length !== 12) return { ok: false, reason: 'INN must have 10 or 12 digits' };
  if (/^0+$/.test(inn)) return { ok: false, reason: 'INN is all zeros' };
  const expected = innWithCheckDigits(inn.slice(0, inn.length === 10 ? 9 : 10));
  return expected === inn ? { ok: true } : { ok: false, reason: 'INN check digit is wrong' };
}

export function innKind(inn: string): InnKind | null {
  return inn.length === 10 ? 'legal' : inn.length === 12 ? 'person' : null;
}

/** KPP: 9 characters, NNNNPPNNN (tax office code, reason code — digits or capital Latin letters —, number). */
export function checkKpp(kpp: string): IdCheck {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(kpp)
    ? { ok: true }
    : { ok: false, reason: 'KPP must be 9 characters: 4 digits, 2 digits or letters A-Z, 3 digits' };
}

/** Check digit of a 12-digit OGRN body (mod 11, last digit) or a 14-digit OGRNIP body (mod 13, last digit). */
export function ogrnCheckDigit(body: string): number {
  const mod = body.length === 12 ? 11n : body.length === 14 ? 13n : 0n;
  if (!mod || !/^\d+$/.test(body)) throw new RangeError('OGRN body must have 12 digits, OGRNIP body 14');
  return Number((BigInt(body) % mod) % 10n);
}

/** OGRN (13 digits) or OGRNIP (15 digits) with a valid check digit. */
export function checkOgrn(ogrn: string): IdCheck {
  if (!/^\d+$/.test(ogrn)) return { ok: false, reason: 'OGRN must contain digits only' };
  if (ogrn.length !== 13 && ogrn.length !== 15)
    return { ok: false, reason: 'OGRN must have 13 digits (OGRNIP 15)' };
  const expected = ogrnCheckDigit(ogrn.slice(0, -1));
  return expected === Number(ogrn.at(-1)) ? { ok: true } : { ok: false, reason: 'OGRN check digit is wrong' };
}
