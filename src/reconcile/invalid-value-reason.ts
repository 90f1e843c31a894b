/**
 * What exactly is wrong with an invalid value, in words a person can act on ("11 digits, expected 10
 * or 12"), from the validators' reasons (src/common/ru-ids.ts, validate-records.ts) and the value
 * itself. The text never quotes a phone or an e-mail (personal data): it counts digits and names the
 * misplaced characters; INN, KPP and OGRN are a company's public identifiers and may be quoted. Pure.
 */
export type ReasonLocale = 'ru' | 'en';

const ruPlural = new Intl.PluralRules('ru');
const ru3 = (n: number, one: string, few: string, many: string) => {
  const f = ruPlural.select(n);
  return `${n} ${f === 'one' ? one : f === 'few' ? few : many}`;
};
const digitsRu = (n: number) => ru3(n, 'цифра', 'цифры', 'цифр');
const digitsEn = (n: number) => `${n} digit${n === 1 ? '' : 's'}`;
const charsRu = (n: number) => ru3(n, 'знак', 'знака', 'знаков');
const charsEn = (n: number) => `${n} character${n === 1 ? '' : 's'}`;

const LOOKS_LIKE_ZERO = /^[OoОо]$/;
const CYRILLIC = /[А-ЯЁа-яё]/;

/** Characters that are not digits, with their positions (1-based). */
function nonDigits(value: string): { ch: string; at: number }[] {
  return [...value].flatMap((ch, i) => (/\d/.test(ch) ? [] : [{ ch, at: i + 1 }]));
}

function misplaced(value: string, locale: ReasonLocale): string {
  const bad = nonDigits(value);
  const zero = bad.length === 1 && LOOKS_LIKE_ZERO.test(bad[0].ch);
  if (locale === 'en') {
    const where = bad.map((b) => `"${b.ch}" at position ${b.at}`).join(', ');
    return `${where} instead of a digit${bad.length > 1 ? 's' : ''}${zero ? ' (the letter O for a zero?)' : ''}`;
  }
  const where = bad.map((b) => `«${b.ch}» на ${b.at}-м месте`).join(', ');
  return `${where} вместо ${bad.length > 1 ? 'цифр' : 'цифры'}${zero ? ' (буква «О» вместо нуля?)' : ''}`;
}

function innReason(value: string, reason: string, locale: ReasonLocale): string | null {
  const en = locale === 'en';
  if (reason === 'INN must contain digits only') return misplaced(value, locale);
  if (reason === 'INN must have 10 or 12 digits')
    return en
      ? `${digitsEn(value.length)}, expected 10 (an organisation) or 12 (an entrepreneur or a person)`
      : `${digitsRu(value.length)}, а нужно 10 (организация) или 12 (ИП, физическое лицо)`;
  if (reason === 'INN is all zeros') return en ? 'all zeros' : 'одни нули';
  if (reason === 'INN check digit is wrong')
    return en
      ? 'the check digit does not match: a mistyped digit?'
      : 'не сходится контрольная цифра — вероятно, опечатка в цифрах';
  return null;
}

function kppReason(value: string, locale: ReasonLocale): string {
  const en = locale === 'en';
  const rule = en
    ? '9 characters: 4 digits, 2 digits or Latin letters A–Z, 3 digits'
    : '9 знаков: 4 цифры, 2 цифры или латинские буквы A–Z, 3 цифры';
  if (value.length !== 9)
    return en ? `${charsEn(value.length)}, expected ${rule}` : `${charsRu(value.length)}, а нужно ${rule}`;
  const bad = [...value].flatMap((ch, i) => {
    const ok = i === 4 || i === 5 ? /[\dA-Z]/.test(ch) : /\d/.test(ch);
    return ok ? [] : [{ ch, at: i + 1 }];
  });
  const cyr = bad.some((b) => CYRILLIC.test(b.ch));
  const where = bad
    .map((b) => (en ? `"${b.ch}" at position ${b.at}` : `«${b.ch}» на ${b.at}-м месте`))
    .join(', ');
  return en
    ? `${where} is not allowed (${rule})${cyr ? ': Cyrillic letters instead of Latin?' : ''}`
    : `${where} — так нельзя (${rule})${cyr ? '; кириллица вместо латиницы?' : ''}`;
}

function ogrnReason(value: string, reason: string, locale: ReasonLocale): string | null {
  const en = locale === 'en';
  if (reason === 'OGRN must contain digits only') return misplaced(value, locale);
  if (reason === 'OGRN must have 13 digits (OGRNIP 15)')
    return en
      ? `${digitsEn(value.length)}, expected 13 (OGRN) or 15 (OGRNIP)`
      : `${digitsRu(value.length)}, а нужно 13 (ОГРН) или 15 (ОГРНИП)`;
  if (reason === 'OGRN check digit is wrong')
    return en
      ? 'the check digit does not match: a mistyped digit?'
      : 'не сходится контрольная цифра — вероятно, опечатка в цифрах';
  return null;
}

function phoneReason(value: string, locale: ReasonLocale): string {
  const en = locale === 'en';
  const n = value.replace(/\D/g, '').length;
  if (n === 0) return en ? 'no digits at all' : 'в номере нет ни одной цифры';
  if (/доб|ext/i.test(value) && n <= 5)
    return en ? 'only an extension, no main number' : 'только добавочный номер, без основного';
  const intl = /^\s*\+/.test(value) && !/^\s*\+\s*7/.test(value);
  if (intl)
    return en
      ? `an international number of ${digitsEn(n)} that does not parse`
      : `международный номер из ${n} цифр не распознан`;
  if (n === 11 || n === 10)
    return en
      ? `${digitsEn(n)}, but no Russian number has this code`
      : `${digitsRu(n)}, но номера с таким кодом в России нет`;
  return en
    ? `${digitsEn(n)}, a Russian number has 11 (+7 and 10 digits)`
    : `${digitsRu(n)}, а в российском номере их 11 (+7 и 10 цифр)`;
}

function emailReason(value: string, locale: ReasonLocale): string {
  const en = locale === 'en';
  const v = value.trim();
  const ats = (v.match(/@/g) ?? []).length;
  if (/^[,;]|[,;]$/.test(v))
    return en
      ? 'a stray comma or semicolon: two addresses in one field?'
      : 'лишняя запятая или точка с запятой — возможно, два адреса в одном поле';
  if (/\s/.test(v))
    return en
      ? 'a space inside: two addresses in one field?'
      : 'пробел внутри — возможно, два адреса в одном поле';
  if (ats === 0) return en ? 'no "@"' : 'нет знака @';
  if (ats > 1) return en ? `"@" ${ats} times` : `знак @ встречается ${ats} раза`;
  const domain = v.slice(v.indexOf('@') + 1);
  if (!domain.includes('.'))
    return en ? 'the domain has no dot and zone (such as .ru)' : 'в домене нет точки и зоны (например, .ru)';
  return en ? 'characters an address cannot have' : 'знаки, недопустимые в адресе';
}

/** The validator's reason made specific; falls back to a plain translation of the reason. */
export function explainInvalid(field: string, value: string, reason: string, locale: ReasonLocale): string {
  if (reason === 'required field is empty')
    return locale === 'en' ? 'the field is required but empty' : 'обязательное поле не заполнено';
  const v = value.trim();
  let out: string | null = null;
  if (field === 'inn') out = innReason(v, reason, locale);
  else if (field === 'kpp') out = kppReason(v, locale);
  else if (field === 'ogrn') out = ogrnReason(v, reason, locale);
  else if (field === 'phones' || reason === 'not a valid phone number') out = phoneReason(v, locale);
  else if (field === 'emails' || reason === 'not a valid e-mail address') out = emailReason(v, locale);
  return out ?? reason;
}
