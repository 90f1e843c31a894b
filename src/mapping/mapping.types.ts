/**
 * The mapping (README.md#the-mapping-file): per entity, the 1C entity set and fields read, the CRM
 * fields written, who owns each field, the conflict strategy, value transforms, the order-status →
 * deal-stage map, the CRM stages counted as open, and the 1C accounts holding the receivable.
 * The built-in default is src/mapping/default-mapping.ts; ONEC_MAPPING_FILE overrides it
 * (loaded and validated by src/mapping/mapping.loader.ts).
 */

/** `onec`: pushed by sync, checked by reconciliation. `crm`: never overwritten. `both`: the strategy applies. */
export type FieldOwner = 'onec' | 'crm' | 'both';
export type ConflictStrategy = 'onec_wins' | 'last_write_wins' | 'manual';
export type Transform = 'trim' | 'phone_e164' | 'email_lower';

/** One canonical field that sync carries from 1C to the CRM. */
export interface FieldRule {
  owner: FieldOwner;
  /** For `both`: how a field changed on both sides is settled (default: the entity's). */
  strategy?: ConflictStrategy;
  transforms?: Transform[];
  /** Push a value that fails validation anyway (default false: reported, not pushed). */
  pushInvalid?: boolean;
}

export interface EntityMapping {
  /** The 1C OData entity set, e.g. `Catalog_Контрагенты`. */
  onecSet: string;
  /** Default strategy for fields owned by `both`. */
  strategy: ConflictStrategy;
  /** Canonical field name → rule. Field names are fixed by the canonical types (see FIELD_NAMES). */
  fields: Record<string, FieldRule>;
}

export interface DealMapping extends EntityMapping {
  /** 1C `Статус` → the CRM deal stage (as the CRM adapter names stages: a stage id or a stage name). */
  statusMap: Record<string, string>;
  /** Stage for a deletion-marked order whose deal exists. */
  deletedStage: string;
  currency: string;
  /** Only orders dated on or after this local date are read (optional). */
  ordersSince?: string;
}

export interface DebtMapping {
  /** The accounting register, e.g. `AccountingRegister_Хозрасчетный`. */
  register: string;
  chartOfAccounts: string;
  /** Account codes whose balance is the receivable. */
  accounts: string[];
  /** Invoice stages counted as open; absent = every stage whose semantics is "in progress". */
  openInvoiceStages?: string[];
  /** |1C − CRM| above this (decimal string, RUB) is a debt_mismatch. */
  tolerance: string;
}

/**
 * Field conflicts of the `manual` strategy besides `/api/v1/conflicts`: a to-do in the CRM for the
 * record's responsible user (docs/for-managers.md).
 */
export interface ConflictsMapping {
  /** One CRM to-do per record with open conflicts (default true). */
  todo: boolean;
  /** Hours from a to-do's creation to its deadline (default 48). */
  todoDeadlineHours: number;
  /** The CRM user id who gets the to-do when the record's responsible user is dismissed or unknown. */
  todoFallbackUser?: string;
}

/**
 * Matching existing CRM records before a create (README.md#going-live): a 1C record without a link is
 * linked to the one unowned CRM record with the same key instead of creating a second one.
 */
export interface MatchingMapping {
  /** Counterparty ↔ company by INN (+ KPP for a 10-digit INN when the CRM side has one). Default `inn_kpp`. */
  counterparties: 'inn_kpp' | 'off';
  /** Contact person ↔ contact of the linked company by last name + e-mail or phone. Default `name_email_phone`. */
  contacts: 'name_email_phone' | 'off';
  /** More than one candidate on either side: `hold` the 1C record for an operator's decision, or `create`. Default `hold`. */
  onAmbiguous: 'hold' | 'create';
}

/**
 * A pilot scope: only these counterparties (and their contact persons, orders and debts) exist for
 * Sverka. Absent = the whole base. A folder includes its sub-folders.
 */
export interface ScopeMapping {
  counterparties?: {
    /** Ref_Keys of counterparty folders (groups). */
    folders?: string[];
    /** INNs (digits only). */
    inn?: string[];
  };
}

/** What happens to the CRM record of a deletion-marked or vanished 1C record. */
export type DeletionPolicy = 'flag' | 'ignore';

export interface Mapping {
  /** The name of this 1C base in the CRM's external keys (setting ONEC_ORIGINATOR_ID, or `source` in the file). */
  source: string;
  counterparties: EntityMapping;
  contacts: EntityMapping;
  deals: DealMapping;
  debts: DebtMapping;
  deletions: DeletionPolicy;
  conflicts: ConflictsMapping;
  matching: MatchingMapping;
  scope: ScopeMapping;
  /**
   * Settings of one CRM adapter, as the mapping file's section named after it (`bitrix24:`, `amocrm:`):
   * validated by that adapter at start (src/crm/<vendor>/), opaque here.
   */
  crm: Record<string, unknown>;
}

/** What the CRM adapter in use gives the default mapping: its deal stages for the 1C order statuses. */
export interface CrmMappingDefaults {
  statusMap: Record<string, string>;
  deletedStage: string;
}

/** Canonical field names per synced entity (the keys allowed in `fields`). */
export const FIELD_NAMES = {
  counterparties: ['title', 'fullName', 'inn', 'kpp', 'ogrn', 'phones', 'emails'],
  contacts: ['lastName', 'firstName', 'middleName', 'companyId', 'phones', 'emails'],
  deals: ['title', 'amount', 'currency', 'companyId', 'stage', 'comments'],
} as const;
