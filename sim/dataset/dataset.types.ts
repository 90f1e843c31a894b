import type { DuplicateScope, SystemName } from '../../src/common/vocabulary.js';
import type { ODataRow, OneCSimData } from '../onec/onec-simulator.js';

/** Options of generateDataset. Rates are shares (0..1) of live counterparties. */
export interface GenerateDatasetOptions {
  /** Same seed + same options → byte-identical data set. */
  seed: number;
  /** Counterparty items (not counting folders and planted 1C duplicates). */
  counterparties: number;
  /** Average contact persons per counterparty (default 1.5). */
  contactsPerCounterparty?: number;
  /** Average customer orders per counterparty (default 2). */
  ordersPerCounterparty?: number;
  /** Share of counterparties/contacts with one planted invalid value (default 0.03). */
  invalidRate?: number;
  /** Share of counterparties entered twice (or thrice) in 1C (default 0.02). */
  onecDuplicateRate?: number;
  /** Share of counterparties that a manager also created in the CRM by hand (default 0.03). */
  crmDuplicateRate?: number;
  /** Genuinely new CRM companies, as a share of counterparties (default 0.02); a third of them come as CRM-internal duplicate pairs. */
  crmNewRate?: number;
  /** Share of debtors whose CRM open invoices differ from the 1C debt (default 0.02, at least 3 when possible). */
  debtMismatchRate?: number;
  /** Balance as-of date (local, default `2026-08-31`); orders are dated before it. */
  asOf?: string;
  /**
   * Lean rows for very large sets (benchmarks, 1M): no `Значение` JSON / `Вид_Key` / address rows in
   * contact information, no `Товары`, no ignored extra properties, no paid/failed invoices, one shared
   * contract in balances. Same kinds of planted problems and the same truth shape, but not the same rows
   * as the non-lean set of the same seed. With 0 contacts and orders per counterparty, 1M counterparties
   * take about 50 s and ~2 GB of heap (20k counterparties + 40k orders, not lean: ~1.3 s).
   */
  lean?: boolean;
}

/** A company as `crm.item.get` returns it (entityTypeId 4), seeded into the Bitrix24 simulator. */
export interface CrmCompanyItem {
  id: number;
  title: string;
  createdTime: string;
  updatedTime: string;
  createdBy: number;
  updatedBy: number;
  assignedById: number;
  opened: 'Y' | 'N';
  companyTypeId: string;
  originatorId: string | null;
  originId: string | null;
  originVersion: string | null;
  contactIds: number[];
  comments: string;
  hasPhone: 'Y' | 'N';
  hasEmail: 'Y' | 'N';
  fm: { id: number; typeId: 'PHONE' | 'EMAIL'; valueType: string; value: string }[];
}

/** A requisite as `crm.requisite.list` returns it (strings, upper-case keys). */
export interface CrmRequisiteRow {
  ID: string;
  ENTITY_TYPE_ID: '4';
  ENTITY_ID: string;
  PRESET_ID: string;
  NAME: string;
  XML_ID: string | null;
  ACTIVE: 'Y';
  RQ_INN: string;
  RQ_KPP: string;
  RQ_OGRN: string;
  RQ_OGRNIP: string;
  RQ_COMPANY_NAME: string;
  RQ_COMPANY_FULL_NAME: string;
}

/** A smart invoice (entityTypeId 31) as `crm.item.get` returns it, without `id` (the simulator assigns it). */
export interface CrmInvoiceItem {
  entityTypeId: 31;
  title: string;
  /** Stable external code `sim-inv-…`: drift and tests find the invoice by it. */
  xmlId: string;
  accountNumber: string;
  companyId: number;
  categoryId: 2;
  /** `DT31_2:N` / `DT31_2:S` open; `DT31_2:P` paid; `DT31_2:D` failed. */
  stageId: string;
  opportunity: number;
  currencyId: 'RUB';
  isManualOpportunity: 'Y';
  parentId2: null;
  begindate: string;
  closedate: string;
}

/** An invoice as planned at generation, before a company id is known. */
export interface PlannedInvoice {
  xmlId: string;
  stageId: string;
  /** Two-digit decimal string. */
  amount: string;
  date: string;
}

export interface CrmSeed {
  /** Manager-created companies (ids 1..N); Sverka's own companies come later with higher ids. */
  companies: CrmCompanyItem[];
  /** Their requisites (ids 1..M). */
  requisites: CrmRequisiteRow[];
  /** Highest fm entry id used (the simulator continues after it). */
  maxFmId: number;
  /** Invoices to create once companies are linked, by counterparty `Ref_Key` (see invoicesFor). */
  invoicePlan: Record<string, PlannedInvoice[]>;
}

export interface TruthMember {
  system: SystemName;
  /** 1C `Ref_Key` or CRM company id (as a string). */
  id: string;
  name: string;
  inn: string;
}

/** How a duplicate's spelling differs from its original. */
export type VariantKind =
  'legal_form_moved' | 'full_form' | 'yo' | 'latin' | 'typo' | 'case' | 'quotes' | 'no_inn' | 'initials';

export interface TruthCluster {
  id: string;
  scope: DuplicateScope;
  /** First member is the original (the 1C record for `onec`/`cross`). */
  members: TruthMember[];
  variants: VariantKind[];
}

export interface TruthInvalid {
  system: 'onec';
  entity: 'counterparties' | 'contacts';
  ref: string;
  field: 'inn' | 'kpp' | 'ogrn' | 'phones' | 'emails';
  value: string;
  reason: string;
}

export interface TruthDebtMismatch {
  ref: string;
  onec: string;
  crm: string;
  /** crm − onec, two-digit string. */
  delta: string;
  /** |delta| ≤ the default tolerance 1.00: must NOT be reported as debt_mismatch. */
  withinTolerance: boolean;
}

/** Ground truth of a generated data set (JSON-serialisable). */
export interface DatasetTruth {
  seed: number;
  asOf: string;
  counts: {
    counterparties: {
      rows: number;
      folders: number;
      items: number;
      deletionMarked: number;
      live: number;
      legal: number;
      entrepreneurs: number;
      persons: number;
    };
    contacts: { rows: number; live: number; ownedByCounterparty: number; liveOwnedByCounterparty: number };
    orders: {
      rows: number;
      live: number;
      posted: number;
      deletionMarked: number;
      byStatusLive: Record<string, number>;
    };
    crm: {
      companies: number;
      requisites: number;
      crossDuplicates: number;
      crmDuplicates: number;
      newCompanies: number;
    };
  };
  /** Order statuses that the default status map does not know (carried as text). */
  unmappedStatuses: string[];
  /**
   * Invalid values of live 1C records, exactly what reconciliation must report as `invalid_value`: the
   * planted ones (reason = the text of src/common/ru-ids.ts / contact-values checks) and the empty INN
   * of a legal entity's 1C copy entered without one (`required field is empty`).
   */
  invalid: TruthInvalid[];
  /** Planted duplicate clusters: `onec` (entered twice in 1C), `cross` (manager copy of a 1C party), `crm` (two manager copies). */
  duplicates: TruthCluster[];
  /** Hard negatives: CRM companies with a name like a 1C party's but another valid INN (not duplicates). */
  lookalikes: { crmId: string; onecRef: string; note: string }[];
  debts: {
    /** Σ over all counterparties, two-digit string. */
    onecTotal: string;
    /** 1C debt per counterparty with balance rows (Σ Dr − Σ Cr on the mapped accounts). */
    byRef: Record<string, string>;
    /** Planned CRM open-invoice total per counterparty (as invoicesFor creates them). */
    crmOpenByRef: Record<string, string>;
    crmOpenTotal: string;
    /** Planted differences (ref order). */
    mismatches: TruthDebtMismatch[];
  };
  /**
   * The default drift plan (`planDrift(dataset, dataset.seed)`): CRM edits to apply after a sync and
   * what reconciliation must then report on top of the planted problems.
   */
  drift: DriftPlan;
}

export interface Dataset {
  seed: number;
  options: Required<Omit<GenerateDatasetOptions, 'lean'>> & { lean: boolean };
  /** Raw 1C OData rows per set: feed to `new OneCSimulator({ data: dataset.onec })`. */
  onec: OneCSimData;
  crm: CrmSeed;
  truth: DatasetTruth;
  /** Bound helper: invoicesFor(this, linkedCompanyIdByRef). */
  invoicesFor(linkedCompanyIdByRef: LinkedCompanies): CrmInvoiceItem[];
  /** Bound helper: writeDataset(this, dir). */
  writeDataset(dir: string): Promise<void>;
}

/** Counterparty `Ref_Key` → CRM company id (a Map or a plain object). */
export type LinkedCompanies =
  ReadonlyMap<string, string | number> | Readonly<Record<string, string | number>>;

export type { ODataRow };

/**
 * CRM-side edits to apply after a sync (managers at work), as data: the caller resolves 1C refs to CRM
 * ids through its link store and applies each op with the Bitrix24 simulator's mutation API (or REST).
 * Every op names the 1C record it concerns; `expect` says what reconciliation must then report,
 * in addition to the planted problems of `dataset.truth`.
 */
export type DriftOp =
  /** Set the title of the company linked to `ref` (a 1C-owned field). */
  | { op: 'editCompanyTitle'; ref: string; title: string }
  /** Set a field of the Sverka-owned requisite (XML_ID = `ref`) of the company linked to `ref`. */
  | { op: 'editRequisite'; ref: string; field: 'RQ_INN' | 'RQ_KPP'; value: string }
  /** Delete the company linked to `ref`. */
  | { op: 'deleteCompany'; ref: string }
  /** Move the deal linked to the order `orderRef` to `stageId`. */
  | { op: 'changeDealStage'; orderRef: string; stageId: string }
  /** Set the `opportunity` of the invoice with `xmlId` (created by invoicesFor for counterparty `ref`). */
  | { op: 'changeInvoiceSum'; ref: string; xmlId: string; opportunity: number }
  /** A manager adds a company duplicating the 1C counterparty `duplicateOf` (requisite without XML_ID). */
  | {
      op: 'addCompany';
      duplicateOf: string;
      company: Omit<CrmCompanyItem, 'id'>;
      requisite: Omit<CrmRequisiteRow, 'ID' | 'ENTITY_ID'> | null;
    };

export interface DriftExpectations {
  /** field_mismatch per op (field names of the mapping: `title`, `inn`, `kpp`). */
  fieldMismatches: { ref: string; field: 'title' | 'inn' | 'kpp'; onecValue: string; crmValue: string }[];
  /** Counterparties whose company was deleted: missing_in_crm. */
  missingInCrm: string[];
  /** status_mismatch: the stage the status map gives vs the stage set in the CRM. */
  statusMismatches: { orderRef: string; expectedStage: string; crmStage: string }[];
  /** New debt_mismatch (beyond truth.debts.mismatches), two-digit strings. */
  debtMismatches: { ref: string; onec: string; crm: string }[];
  /** New cross duplicates: the 1C ref and the added company's title. */
  crossDuplicates: { ref: string; title: string }[];
}

export interface DriftPlan {
  seed: number;
  ops: DriftOp[];
  expect: DriftExpectations;
}
