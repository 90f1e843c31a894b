/**
 * How the canonical field names (the mapping's, plus `debt` of debt items and `count` of count
 * items) read to a person, in Russian and English: discrepancy texts and the report use these, never
 * the code. Pure.
 */
export type LabelLocale = 'ru' | 'en';

const RU: Record<string, string> = {
  title: 'Название',
  fullName: 'Полное наименование',
  inn: 'ИНН',
  kpp: 'КПП',
  ogrn: 'ОГРН',
  phones: 'Телефоны',
  emails: 'E-mail',
  lastName: 'Фамилия',
  firstName: 'Имя',
  middleName: 'Отчество',
  companyId: 'Компания',
  amount: 'Сумма',
  currency: 'Валюта',
  stage: 'Стадия',
  debt: 'Долг',
  // Field names of runs made before Sverka 0.2 (their items keep them).
  name: 'Имя',
  secondName: 'Отчество',
  opportunity: 'Сумма',
  currencyId: 'Валюта',
  stageId: 'Стадия',
  count: 'Количество',
};

const EN: Record<string, string> = {
  title: 'Title',
  fullName: 'Full name',
  inn: 'INN',
  kpp: 'KPP',
  ogrn: 'OGRN',
  phones: 'Phones',
  emails: 'E-mails',
  lastName: 'Last name',
  firstName: 'First name',
  middleName: 'Middle name',
  companyId: 'Company',
  amount: 'Amount',
  currency: 'Currency',
  stage: 'Stage',
  debt: 'Debt',
  name: 'First name',
  secondName: 'Middle name',
  opportunity: 'Amount',
  currencyId: 'Currency',
  stageId: 'Stage',
  count: 'Record count',
};

/** The display name of a field (a name not listed here is shown as it is). */
export function fieldLabel(field: string, locale: LabelLocale): string {
  return (locale === 'en' ? EN : RU)[field] ?? field;
}

/** Every labelled field name (for tests that look for leaked codes). */
export const LABELLED_FIELDS: readonly string[] = Object.keys(RU);
