/**
 * Canonical CRM records, in the domain's words: companies with their tax details, contacts, deals in
 * stages that are open, won or lost, and invoices. Every adapter (src/crm/<vendor>/) converts its CRM's
 * JSON to these and back; no vendor notion (record types, field codes, value ids, pipelines) crosses
 * this line. Ids are strings; money is a two-digit decimal string.
 */

export const CRM_ENTITIES = ['companies', 'contacts', 'deals', 'invoices'] as const;
export type CrmEntity = (typeof CRM_ENTITIES)[number];
/** The entities sync writes; invoices are only read. */
export type CrmWritableEntity = Exclude<CrmEntity, 'invoices'>;

/**
 * Which 1C record a CRM record was made from: `source` names the 1C base (setting ONEC_ORIGINATOR_ID),
 * `key` is the record's 1C `Ref_Key`. A record without one is nobody's (made by a person); a record with
 * another `source` belongs to another base or integration and is never touched.
 */
export interface ExternalKey {
  source: string;
  key: string;
}

/** Legal entity, individual entrepreneur (ИП), or private person: decides how tax details are kept. */
export type PartyKind = 'legal' | 'entrepreneur' | 'person';

/** A company's tax details (ИНН, КПП, ОГРН/ОГРНИП, full name, the name on them). */
export interface CrmTaxIds {
  kind: PartyKind;
  inn: string;
  kpp: string;
  ogrn: string;
  fullName: string;
  /** The party's name as the tax details carry it (sync keeps it equal to the company title). */
  name: string;
}

export interface CrmCompany {
  id: string;
  title: string;
  external: ExternalKey | null;
  /** The 1C DataVersion sync last wrote (null when the CRM keeps none). */
  sourceVersion: string | null;
  /** ISO 8601 with offset. */
  updatedTime: string;
  /** Phone numbers and e-mail addresses as the CRM holds them (values only; the adapter keeps its own ids). */
  phones: string[];
  emails: string[];
  /**
   * Tax details: those kept for this company's 1C record when there are some (`owned`), else the first
   * the CRM has for it (a person's), else null.
   */
  taxIds: (CrmTaxIds & { owned: boolean }) | null;
  /** The user responsible for the record (its "manager"). */
  responsibleId: string | null;
  /** Whether the record carries the "deleted in 1C" flag. */
  flagged: boolean;
}

export interface CrmContact {
  id: string;
  lastName: string;
  firstName: string;
  middleName: string;
  companyId: string | null;
  external: ExternalKey | null;
  sourceVersion: string | null;
  updatedTime: string;
  phones: string[];
  emails: string[];
  responsibleId: string | null;
  flagged: boolean;
}

/** Where a stage leaves a deal or an invoice: still open, won (paid), or lost. */
export type StageKind = 'open' | 'won' | 'lost';

export interface CrmDeal {
  id: string;
  title: string;
  /** The stage as the mapping names it (the adapter's stage key). */
  stage: string;
  stageKind: StageKind | null;
  amount: string;
  currency: string;
  companyId: string | null;
  comments: string;
  external: ExternalKey | null;
  updatedTime: string;
  responsibleId: string | null;
  flagged: boolean;
}

export interface CrmInvoice {
  id: string;
  companyId: string | null;
  stage: string;
  amount: string;
  currency: string;
  updatedTime: string;
}

export interface CrmStage {
  /** The key the mapping uses for it. */
  id: string;
  name: string;
  kind: StageKind;
}

/**
 * A company that may be the same party as a 1C counterparty (matching before create, README.md#going-live):
 * every set of tax details it has, so the caller can compare INN and KPP itself.
 */
export interface CrmCompanyCandidate {
  id: string;
  title: string;
  external: ExternalKey | null;
  taxIds: CrmTaxIds[];
  responsibleId: string | null;
}

export type CrmRecordMap = {
  companies: CrmCompany;
  contacts: CrmContact;
  deals: CrmDeal;
  invoices: CrmInvoice;
};

/** A CRM row the converter could not read: reported, never dropped silently. */
export interface CrmMalformedRecord {
  entity: CrmEntity;
  id: string | null;
  reason: string;
}

export interface CrmRead<T> {
  records: T[];
  malformed: CrmMalformedRecord[];
}

// ---- writes ----

/** A change to a multi-value field: values to add and values to remove (sync removes only its own). */
export interface ValuesChange {
  add: string[];
  remove: string[];
}

export interface CompanyFields {
  title?: string;
  sourceVersion?: string;
  phones?: ValuesChange;
  emails?: ValuesChange;
  /** The tax details kept for this company's 1C record: created or updated as a whole. */
  taxIds?: CrmTaxIds;
  /** Set or clear the "deleted in 1C" flag. */
  flagged?: boolean;
}

export interface ContactFields {
  lastName?: string;
  firstName?: string;
  middleName?: string;
  companyId?: string | null;
  sourceVersion?: string;
  phones?: ValuesChange;
  emails?: ValuesChange;
  flagged?: boolean;
}

export interface DealFields {
  title?: string;
  stage?: string;
  amount?: string;
  currency?: string;
  companyId?: string | null;
  comments?: string;
  flagged?: boolean;
}

export type CrmFieldsMap = {
  companies: CompanyFields;
  contacts: ContactFields;
  deals: DealFields;
};

/**
 * One write. `key` is the caller's id for it (the 1C Ref_Key), echoed in the result.
 *
 * `link` adopts a record a person made (no external key) for a 1C record: it writes `external` on it and
 * then `fields` as an update would. For a company, the tax details that matched (`matchedTaxIds`: the INN,
 * and the KPP when the CRM's have one) are reused — they become the 1C record's tax details (Bitrix24: the
 * requisite's XML_ID is set to `key`) and `fields.taxIds`, when given, is written into them — instead of
 * adding a second set.
 */
export type CrmWrite = {
  [E in CrmWritableEntity]:
    | { op: 'create'; key: string; entity: E; external: ExternalKey; fields: CrmFieldsMap[E] }
    | { op: 'update'; key: string; entity: E; id: string; fields: CrmFieldsMap[E] }
    | {
        op: 'link';
        key: string;
        entity: E;
        id: string;
        external: ExternalKey;
        fields: CrmFieldsMap[E];
        matchedTaxIds?: { inn: string; kpp: string };
      };
}[CrmWritableEntity];

export type CrmWriteResult =
  | {
      key: string;
      ok: true;
      id: string;
      /**
       * A create whose answer was lost and that was found by its external key instead of made again;
       * when several records carried the key, `id` is the lowest and the others are listed here.
       */
      recovered?: boolean;
      duplicates?: string[];
    }
  | {
      key: string;
      ok: false;
      error: import('./crm.error.js').CrmError;
      /** A create that made its record but not all of it (e.g. its tax details): the record's id. */
      id?: string;
    };

// ---- to-dos (a person's task on a record, e.g. "decide these conflicting fields") ----

/** A to-do for a person in the CRM, attached to one record. */
export interface CrmTodo {
  entity: CrmWritableEntity;
  recordId: string;
  /** The CRM user who should do it; null = the CRM's default (the integration's own user). */
  responsibleId: string | null;
  /** ISO 8601 with an offset. */
  deadline: string;
  title: string;
  description: string;
}

/** Create (`id` absent) or rewrite (`id` = the CRM's to-do id) one to-do. `key` is echoed in the result. */
export interface CrmTodoWrite {
  key: string;
  id?: string;
  todo: CrmTodo;
}

export type CrmTodoWriteResult =
  | { key: string; ok: true; id: string }
  | {
      key: string;
      ok: false;
      error: import('./crm.error.js').CrmError;
      /** The to-do can no longer be changed: it was completed or deleted in the CRM meanwhile. */
      closed?: boolean;
    };

/** A to-do as the CRM holds it now. */
export interface CrmTodoState {
  id: string;
  completed: boolean;
  /** ISO 8601, or null when the CRM has none. */
  deadline: string | null;
  responsibleId: string | null;
}

/** One page of to-dos changed since a point; `cursor` is where the next look should start. */
export interface CrmTodoPage {
  todos: CrmTodoState[];
  /** Opaque to the caller: pass it to the next `todosChangedSince` once every page was read. */
  cursor: string;
}

/** A CRM user, as far as to-dos need one. */
export interface CrmUser {
  id: string;
  /** Display name ('' when the CRM gives none). */
  name: string;
  /** False: the user was dismissed (deactivated) and would never see a to-do. */
  active: boolean;
}
