/**
 * The mapping (service-contract §6): per entity, the 1C entity set and fields read, the CRM
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

export interface CounterpartyMapping extends EntityMapping {
  /** Requisite preset names by kind; ИП = a person with a 15-digit ОГРНИП. */
  presets: { legal: string; entrepreneur: string; person: string };
}

export interface DealMapping extends EntityMapping {
  /** 1C `Статус` → CRM deal stage id. */
  statusMap: Record<string, string>;
  /** Stage for a deletion-marked order whose deal exists. */
  deletedStage: string;
  categoryId: string;
  currencyId: string;
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

/** What happens to the CRM record of a deletion-marked or vanished 1C record. */
export type DeletionPolicy = 'flag' | 'ignore';

/**
 * With `deletions: flag`, a CRM user field that Sverka sets to `value` on the company, contact or deal
 * whose 1C record is deletion-marked or gone, and clears (`""`) when the 1C record is live again, so
 * CRM users see it on the card and can filter by it. The field must exist on the portal (a user field,
 * `crm.item` spelling: `ufCrmSverkaDeleted` or `ufCrm_1721244707107`).
 */
export interface DeletionMarker {
  field: string;
  value: string;
}

export interface Mapping {
  originatorId: string;
  counterparties: CounterpartyMapping;
  contacts: EntityMapping;
  deals: DealMapping;
  debts: DebtMapping;
  deletions: DeletionPolicy;
  deletionMarker?: DeletionMarker;
}

/** Canonical field names per synced entity (the keys allowed in `fields`). */
export const FIELD_NAMES = {
  counterparties: ['title', 'fullName', 'inn', 'kpp', 'ogrn', 'phones', 'emails'],
  contacts: ['lastName', 'name', 'secondName', 'companyId', 'phones', 'emails'],
  deals: ['title', 'opportunity', 'currencyId', 'companyId', 'stageId', 'comments'],
} as const;
