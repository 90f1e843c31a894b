import { fieldLabel } from '../common/field-labels.js';
import { explainInvalid } from './invalid-value-reason.js';

/**
 * `detail` texts of discrepancy items in REPORT_LOCALE. Templates with `%s` are filled by PostgreSQL
 * `format()` in the SQL comparers (arguments in the documented order); functions are used from JS.
 * Field names and deal stages appear by their display names, never as codes.
 */
export type ReportLocale = 'ru' | 'en';

export interface ReconcileMessages {
  /**
   * Arguments: entity, ref (and CRM id). PostgreSQL format(): the texts name arguments by position
   * (%2$s…) and may leave some out — the item carries the record's name, ref and CRM id itself.
   */
  missingNoLink: string;
  /** entity, ref, crm id */
  missingGone: string;
  /** A record sync holds for a matching decision (`%3$s`: how many CRM candidates). */
  missingHeld: string;
  /** entity, crm id, ref */
  orphanGone: string;
  /** entity, crm id, ref */
  orphanMarked: string;
  /** field (its display name), 1C value, CRM value */
  fieldMismatch: string;
  /** 1C status (as people read it), expected stage name, CRM stage name */
  statusMismatch: string;
  /** Stands for the 1C status of a deletion-marked order. */
  deletionMarked: string;
  /** The display name of a canonical field. */
  fieldLabel(field: string): string;
  /** 1C debt, CRM open invoices, difference, tolerance */
  debtMismatch: string;
  countMismatch(entity: string, onec: number, crm: number, linked: number): string;
  /** field code, the raw value (only counted and described, never quoted for phones and e-mails), validator reason */
  invalidValue(field: string, value: string, reason: string): string;
  malformed(system: string, reason: string): string;
  syncFailure(reason: string): string;
  sampleMismatch(field: string): string;
}

/** Russian texts of the validators' reasons (src/common/ru-ids.ts, validate-records.ts); unknown ones pass through. */
const RU_REASONS: Record<string, string> = {
  'INN must contain digits only': 'ИНН должен состоять только из цифр',
  'INN must have 10 or 12 digits': 'ИНН должен содержать 10 или 12 цифр',
  'INN is all zeros': 'ИНН состоит из одних нулей',
  'INN check digit is wrong': 'неверное контрольное число ИНН',
  'KPP must be 9 characters: 4 digits, 2 digits or letters A-Z, 3 digits':
    'КПП должен состоять из 9 знаков: 4 цифры, 2 цифры или латинские буквы A-Z, 3 цифры',
  'OGRN must contain digits only': 'ОГРН должен состоять только из цифр',
  'OGRN must have 13 digits (OGRNIP 15)': 'ОГРН должен содержать 13 цифр (ОГРНИП — 15)',
  'OGRN check digit is wrong': 'неверное контрольное число ОГРН',
  'required field is empty': 'обязательное поле не заполнено',
  'not a valid phone number': 'номер телефона не распознан',
  'not a valid e-mail address': 'адрес электронной почты не распознан',
};

/** Entity names for texts (the item's `entity` field keeps the code). */
const RU_ENTITIES: Record<string, string> = {
  counterparties: 'Контрагенты',
  contacts: 'Контактные лица',
  deals: 'Заказы / сделки',
  debts: 'Долги',
};
const EN_ENTITIES: Record<string, string> = {
  counterparties: 'Counterparties',
  contacts: 'Contact persons',
  deals: 'Orders / deals',
  debts: 'Debts',
};

const ru: ReconcileMessages = {
  missingNoLink: 'Запись 1С не выгружена в CRM: связанной карточки нет',
  missingGone: 'Карточку CRM %3$s, связанную с этой записью 1С, удалили в CRM',
  missingHeld:
    'Запись 1С ждёт решения о сопоставлении: в CRM есть похожие карточки (%3$s) — выберите нужную или создайте новую (GET /api/v1/matches)',
  orphanGone: 'Карточка CRM ссылается на запись 1С %3$s, которой в 1С больше нет',
  orphanMarked: 'Карточка CRM ссылается на запись 1С, помеченную на удаление',
  fieldMismatch: 'Поле «%s» различается: в 1С «%s», в CRM «%s»',
  statusMismatch: 'Статус заказа в 1С «%s» соответствует стадии «%s», а в CRM стадия «%s»',
  deletionMarked: 'помечен на удаление',
  fieldLabel: (f) => fieldLabel(f, 'ru'),
  debtMismatch: 'Долг в 1С %s ₽, открытые счета в CRM %s ₽, разница %s ₽ (допуск %s ₽)',
  countMismatch: (e, o, c, l) =>
    `${RU_ENTITIES[e] ?? e}: в 1С ${o} действующих, в CRM ${c} с источником 1С, связей ${l}`,
  invalidValue: (f, v, r) => {
    const why = explainInvalid(f, v, r, 'ru');
    return `Некорректное значение поля «${fieldLabel(f, 'ru')}» в 1С: ${why === r ? (RU_REASONS[r] ?? r) : why}`;
  },
  malformed: (s, r) => `Запись ${s === 'onec' ? '1С' : 'CRM'} не удалось прочитать: ${r}`,
  syncFailure: (r) => `Синхронизация отказалась от записи после всех попыток: ${r}`,
  sampleMismatch: (f) =>
    `Контрольная выборка: поле «${fieldLabel(f, 'ru')}» различается при чтении по одной записи`,
};

const en: ReconcileMessages = {
  missingNoLink: 'The 1C record is not in the CRM: no linked card',
  missingGone: 'CRM card %3$s, linked to this 1C record, was deleted in the CRM',
  missingHeld:
    'The 1C record waits for a matching decision: the CRM has candidate cards (%3$s) — pick one or create a new one (GET /api/v1/matches)',
  orphanGone: 'The CRM card points to 1C record %3$s, which 1C no longer has',
  orphanMarked: 'The CRM card points to a 1C record that is marked for deletion',
  fieldMismatch: 'Field "%s" differs: 1C "%s", CRM "%s"',
  statusMismatch: '1C order status "%s" maps to stage "%s", but the CRM stage is "%s"',
  deletionMarked: 'marked for deletion',
  fieldLabel: (f) => fieldLabel(f, 'en'),
  debtMismatch: '1C debt %s RUB, CRM open invoices %s RUB, difference %s RUB (tolerance %s RUB)',
  countMismatch: (e, o, c, l) =>
    `${EN_ENTITIES[e] ?? e}: 1C has ${o} live, the CRM ${c} with a 1C origin, ${l} links`,
  invalidValue: (f, v, r) =>
    `Invalid value of "${fieldLabel(f, 'en')}" in 1C: ${explainInvalid(f, v, r, 'en')}`,
  malformed: (s, r) => `A ${s === 'onec' ? '1C' : 'CRM'} record could not be read: ${r}`,
  syncFailure: (r) => `Sync gave up on this record after all attempts: ${r}`,
  sampleMismatch: (f) => `Control sample: field "${fieldLabel(f, 'en')}" differs when read record by record`,
};

export function reconcileMessages(locale: ReportLocale): ReconcileMessages {
  return locale === 'en' ? en : ru;
}
