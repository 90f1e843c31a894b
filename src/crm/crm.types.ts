/**
 * Canonical CRM records: CRM-neutral (an amoCRM adapter can produce them too), converted from
 * Bitrix24 JSON by src/crm/bitrix24/converters. Ids are strings; money is a two-digit decimal string.
 */

export const CRM_ENTITIES = ['companies', 'contacts', 'deals', 'invoices'] as const;
export type CrmEntity = (typeof CRM_ENTITIES)[number];
/** The entities sync writes; invoices are only read. */
export type CrmWritableEntity = Exclude<CrmEntity, 'invoices'>;

/** One phone or e-mail entry (Bitrix24 `fm`). `id` is null before the CRM has stored it. */
export interface CrmMultiValue {
  id: string | null;
  value: string;
  /** WORK, MOBILE, HOME, … */
  valueType: string;
}

export interface CrmOrigin {
  originatorId: string | null;
  originId: string | null;
}

export interface CrmCompany extends CrmOrigin {
  id: string;
  title: string;
  originVersion: string | null;
  /** ISO 8601 with offset. */
  updatedTime: string;
  phones: CrmMultiValue[];
  emails: CrmMultiValue[];
  assignedById: string | null;
}

export interface CrmContact extends CrmOrigin {
  id: string;
  lastName: string;
  name: string;
  secondName: string;
  companyId: string | null;
  originVersion: string | null;
  updatedTime: string;
  phones: CrmMultiValue[];
  emails: CrmMultiValue[];
}

export interface CrmDeal extends CrmOrigin {
  id: string;
  title: string;
  categoryId: string;
  stageId: string;
  /** Stage semantics: P in progress, S success, F failure. */
  stageSemantic: 'P' | 'S' | 'F' | null;
  opportunity: string;
  currencyId: string;
  companyId: string | null;
  comments: string;
  updatedTime: string;
}

export interface CrmInvoice {
  id: string;
  companyId: string | null;
  stageId: string;
  opportunity: string;
  currencyId: string;
  updatedTime: string;
}

/** The requisite carrying INN/KPP/full name of a company (Bitrix24 `crm.requisite.*`). */
export interface CrmRequisite {
  id: string;
  /** The company id it belongs to. */
  companyId: string;
  presetId: string;
  name: string;
  /** External key; Sverka writes the counterparty `Ref_Key` here and owns only that requisite. */
  xmlId: string | null;
  inn: string;
  kpp: string;
  companyName: string;
  fullName: string;
  ogrn: string;
}

export interface CrmStage {
  /** `STATUS_ID`, e.g. `EXECUTING`, `DT31_2:N`. */
  id: string;
  name: string;
  /** P in progress (null or "" in Bitrix24), S success, F failure. */
  semantics: 'P' | 'S' | 'F';
}

export type CrmRecordMap = {
  companies: CrmCompany;
  contacts: CrmContact;
  deals: CrmDeal;
  invoices: CrmInvoice;
};

/** A CRM row the converter could not read: reported, never dropped silently. */
export interface CrmMalformedRecord {
  entity: CrmEntity | 'requisites';
  id: string | null;
  reason: string;
}

export interface CrmRead<T> {
  records: T[];
  malformed: CrmMalformedRecord[];
}

// ---- writes ----

export interface CompanyFields {
  title?: string;
  originVersion?: string;
  /** Desired phones (E.164); the adapter turns this into fm adds/deletes against `current`. */
  phones?: string[];
  emails?: string[];
  /** CRM user fields by `crm.item` name (`ufCrm…`), as text; e.g. the deletion marker. */
  userFields?: Record<string, string>;
}

export interface ContactFields {
  lastName?: string;
  name?: string;
  secondName?: string;
  companyId?: string | null;
  originVersion?: string;
  phones?: string[];
  emails?: string[];
  /** CRM user fields by `crm.item` name (`ufCrm…`), as text; e.g. the deletion marker. */
  userFields?: Record<string, string>;
}

export interface DealFields {
  title?: string;
  categoryId?: string;
  stageId?: string;
  opportunity?: string;
  currencyId?: string;
  companyId?: string | null;
  comments?: string;
  /** CRM user fields by `crm.item` name (`ufCrm…`), as text; e.g. the deletion marker. */
  userFields?: Record<string, string>;
}

export interface RequisiteFields {
  /** Preset by name (e.g. "Организация", "ИП", "Физ. лицо"); the adapter resolves the id. */
  presetName: string;
  xmlId: string;
  inn: string;
  kpp: string;
  companyName: string;
  fullName: string;
  ogrn: string;
}

export type CrmFieldsMap = {
  companies: CompanyFields;
  contacts: ContactFields;
  deals: DealFields;
};

/** One write command. `key` is the caller's id for the command (e.g. the 1C Ref_Key), echoed in the result. */
export type CrmWrite =
  | {
      op: 'create';
      key: string;
      entity: 'companies';
      origin: { originatorId: string; originId: string };
      fields: CompanyFields;
    }
  | {
      op: 'create';
      key: string;
      entity: 'contacts';
      origin: { originatorId: string; originId: string };
      fields: ContactFields;
    }
  | {
      op: 'create';
      key: string;
      entity: 'deals';
      origin: { originatorId: string; originId: string };
      fields: DealFields;
    }
  | {
      op: 'update';
      key: string;
      entity: CrmWritableEntity;
      id: string;
      fields: CompanyFields | ContactFields | DealFields;
      /** Current fm entries, needed when `fields.phones`/`fields.emails` are set. */
      current?: { phones: CrmMultiValue[]; emails: CrmMultiValue[] };
    }
  | { op: 'createRequisite'; key: string; companyId: string; fields: RequisiteFields }
  | { op: 'updateRequisite'; key: string; id: string; fields: RequisiteFields };

export type CrmWriteResult =
  | {
      key: string;
      ok: true;
      id: string;
      /**
       * Set on a create whose answer was lost and that was found by origin instead of created again
       * (`recovered: true`); when several records carried the origin, `id` is the lowest and the
       * others are listed here.
       */
      recovered?: boolean;
      duplicates?: string[];
    }
  | { key: string; ok: false; error: import('./crm.error.js').CrmError };
