/**
 * How the canonical field names (the mapping's, plus `amount` of debt items and `count` of count
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
  name: 'Имя',
  secondName: 'Отчество',
  companyId: 'Компания',
  opportunity: 'Сумма',
  currencyId: 'Валюта',
  stageId: 'Стадия',
  amount: 'Долг',
  debt: 'Долг',
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
  name: 'First name',
  secondName: 'Middle name',
  companyId: 'Company',
  opportunity: 'Amount',
  currencyId: 'Currency',
  stageId: 'Stage',
  amount: 'Debt',
  debt: 'Debt',
  count: 'Record count',
};

/** The display name of a field (a name not listed here is shown as it is). */
export function fieldLabel(field: string, locale: LabelLocale): string {
  return (locale === 'en' ? EN : RU)[field] ?? field;
}

/** Every labelled field name (for tests that look for leaked codes). */
export const LABELLED_FIELDS: readonly string[] = Object.keys(RU);
