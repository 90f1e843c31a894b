import type {
  DiscrepancyKind,
  DuplicateScope,
  ReconcileEntity,
  RunStatus,
  RunTrigger,
  Severity,
  SystemName,
} from '../common/vocabulary.js';

/**
 * The reconciliation results (README.md#the-rest-api, names in src/common/vocabulary.ts), as the API returns
 * them and as the report and metrics read them. Money is a two-digit decimal string.
 */

export interface DiscrepancyItem {
  id: string;
  kind: DiscrepancyKind;
  entity: ReconcileEntity;
  severity: Severity;
  onecRef: string | null;
  crmId: string | null;
  field: string | null;
  onecValue: string | null;
  crmValue: string | null;
  /** Human-readable, in REPORT_LOCALE. */
  detail: string;
  /** The record's 1C name, else its CRM title (null when neither system has the record, e.g. a count item). */
  name: string | null;
  /** The counterparty's INN (counterparties and debts; 1C's, else the CRM's tax details'). */
  inn: string | null;
  /** The record's card in the CRM, when the portal's address is known and the record still exists there. */
  crmUrl: string | null;
  /** The record in 1C (a web-client link), when one can be formed and the record still exists there. */
  onecUrl: string | null;
  /** How `onecValue` reads to a person when it is a code (a deal stage's name, a company's title), else null. */
  onecLabel: string | null;
  /** How `crmValue` reads to a person when it is a code, else null. */
  crmLabel: string | null;
}

export interface DuplicateMember {
  system: SystemName;
  id: string;
  name: string;
  inn: string | null;
  /** The record's card (CRM) or web-client link (1C), when one can be formed; absent in runs made before links. */
  url?: string | null;
}

export interface DuplicateCluster {
  id: string;
  scope: DuplicateScope;
  /** 0..1, two decimals. */
  score: number;
  members: DuplicateMember[];
  reasons: string[];
}

export interface EntityCounts {
  onec: number;
  crm: number;
  linked: number;
  /** CRM records that carry our external key (optional extra). */
  crmWithOrigin?: number;
  /**
   * Of the CRM records not linked to a live 1C record: those with no external key
   * (created by people), those of another integration (another key source), and orphans (their 1C
   * record is gone or deletion-marked). Whatever `crm − linked` leaves beyond these is ours but out of
   * the check (e.g. the deal of a deletion-marked order).
   */
  crmExtras?: { unowned: number; otherIntegrations: number; orphans: number };
}

export interface RunSummary {
  counts: Partial<Record<ReconcileEntity, EntityCounts>>;
  /** Count per kind (kinds with zero may be omitted). */
  discrepancies: Partial<Record<DiscrepancyKind, number>>;
  /** Count per entity and kind, for metrics and the report's headline table. */
  discrepanciesByEntity?: Partial<Record<ReconcileEntity, Partial<Record<DiscrepancyKind, number>>>>;
  statuses?: { onec: Record<string, number>; crm: Record<string, number> };
  debts?: { onecTotal: string; crmTotal: string; mismatched: number };
  duplicates?: Partial<Record<DuplicateScope, number>>;
  sample?: { size: number; mismatched: number };
  /**
   * Field conflicts of the `manual` strategy waiting for a person when the run finished
   * (`/api/v1/conflicts?status=open`); absent when sync is not deployed.
   */
  conflicts?: { open: number; oldestOpenedAt: string | null };
  /** 1C records sync holds for a matching decision (review items, README.md#going-live), per entity. */
  matches?: { open: number; byEntity: Record<string, number> };
  /**
   * Checks that could not run, with the reason (makes the run `partial`). `switchedOff`: the check's entity
   * is switched off by SYNC_ENTITIES — listed so the report says so, but no failure (the run is not `partial`).
   */
  skippedChecks?: { check: string; reason: string; switchedOff?: true }[];
  previousRunId?: string | null;
  /** Change of each discrepancy kind against the previous finished run. */
  delta?: Partial<Record<DiscrepancyKind, number>>;
}

export interface ReconciliationRunView {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  startedAt: string | null;
  finishedAt: string | null;
  summary: RunSummary | null;
}
