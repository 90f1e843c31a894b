/**
 * Canonical 1C records: our types, converted from OData JSON by src/onec/converters.
 * Strings are trimmed; empty references are null; money is a two-digit decimal string.
 * Values are as 1C holds them (not yet normalised for the CRM): normalisation is sync's job.
 */

/** One row of the cheap version scan (`Ref_Key` + `DataVersion` + cursor fields). */
export interface OneCVersion {
  ref: string;
  dataVersion: string;
  /**
   * With `withKeys` (go-live: pilot scope and matching), what decides whether a record is in scope and
   * whom it may match: the counterparty it belongs to (a counterparty: itself; a contact person: its owner
   * when that is a counterparty, else null; an order: its customer, or null).
   */
  keys?: OneCVersionKeys;
}

export interface OneCVersionKeys {
  counterpartyRef: string | null;
  deletionMark: boolean;
  /** Counterparties only: the folder (group) it is in, null at the top. */
  parentRef?: string | null;
  /** Counterparties only: `ИНН`, `КПП` as 1C holds them (trimmed). */
  inn?: string;
  kpp?: string;
}

/** A folder (group) of a catalog: the pilot scope names counterparty folders. */
export interface OneCFolder {
  ref: string;
  parentRef: string | null;
  name: string;
}

export type OneCLegalKind = 'legal' | 'person';

export interface OneCCounterparty {
  ref: string;
  dataVersion: string;
  deletionMark: boolean;
  code: string;
  /** `Description` — the short name. */
  name: string;
  /** `Parent_Key`: the folder (group) it is in; null at the top of the catalog. */
  parentRef: string | null;
  /** `НаименованиеПолное`. */
  fullName: string;
  /** `ЮридическоеФизическоеЛицо`: ЮридическоеЛицо → legal, ФизическоеЛицо → person. */
  kind: OneCLegalKind;
  inn: string;
  kpp: string;
  /** `РегистрационныйНомер`: ОГРН (13 digits) or ОГРНИП (15 digits). */
  regNumber: string;
  /** Raw phone texts in 1C row order (`НомерТелефона`, else `Представление`). */
  phones: string[];
  /** Raw e-mail texts in 1C row order (`АдресЭП`, else `Представление`). */
  emails: string[];
}

export interface OneCContact {
  ref: string;
  dataVersion: string;
  deletionMark: boolean;
  code: string;
  lastName: string;
  firstName: string;
  middleName: string;
  position: string;
  /** `ОбъектВладелец` when its type is the counterparty catalog; null otherwise. */
  ownerRef: string | null;
  phones: string[];
  emails: string[];
}

export interface OneCOrder {
  ref: string;
  dataVersion: string;
  deletionMark: boolean;
  posted: boolean;
  number: string;
  /** Local time of the base, `YYYY-MM-DDTHH:MM:SS`. */
  date: string;
  counterpartyRef: string | null;
  /** `СуммаДокумента`, two-digit decimal string. */
  amount: string;
  /** `Статус` as text; unknown values are carried, never rejected. */
  status: string;
  comment: string;
}

/** Receivable of one counterparty: Σ Dr − Σ Cr over the mapped accounts. */
export interface OneCDebt {
  counterpartyRef: string;
  /** Two-digit decimal string; positive = the customer owes. */
  amount: string;
}

export type OneCRecordMap = {
  counterparties: OneCCounterparty;
  contacts: OneCContact;
  deals: OneCOrder;
};
export type OneCEntity = keyof OneCRecordMap;

/** A 1C row the converter could not read: reported, never dropped silently. */
export interface MalformedRecord {
  entity: string;
  /** `Ref_Key` when it could be read. */
  ref: string | null;
  reason: string;
}
