import type { DuplicateScope, SystemName } from '../common/vocabulary.js';
import type { DuplicateCluster } from '../reconcile/reconcile.types.js';

/**
 * Input and output shapes of duplicate detection. Pure types: the core (normalize/, block, score-pair,
 * cluster, find-duplicates) imports nothing from NestJS or TypeORM.
 */

/** One counterparty as dedupe sees it, from 1C or from the CRM. */
export interface DedupeRecord {
  system: SystemName;
  /** 1C Ref_Key or CRM company id. */
  id: string;
  /** Short (display) name, e.g. `ООО "Ромашка"`. */
  name: string;
  /** Full legal name, if the source has one (used when `name` is empty). */
  fullName?: string;
  inn?: string | null;
  kpp?: string | null;
  ogrn?: string | null;
  phones: string[];
  emails: string[];
  /** For CRM records: the 1C ref the company is linked to (null/absent: not linked). */
  linkedTo?: string | null;
}

export interface DedupeThresholds {
  /**
   * Score from which a pair is reported as a duplicate. 0.90: name evidence alone is worth at most 0.85,
   * so reaching it needs an identifier agreement (INN/OGRN) or a near-identical name plus a shared
   * contact. Planted duplicates score 0.93–1.0; distinct parties with the same name but no shared
   * identifier stay below it.
   */
  duplicate: number;
  /**
   * Score from which a pair is shown as a possible duplicate for a person to check. 0.78: an identical
   * name alone (0.85), or a name with one or two typos in 15 letters (similarity ≥ 0.92) with nothing
   * against it; an identical name whose phones or e-mails all differ (0.77) stays below — that is what
   * a namesake in another city looks like, and listing those would bury the real copies.
   */
  possible: number;
}

export const DEFAULT_THRESHOLDS: DedupeThresholds = { duplicate: 0.9, possible: 0.78 };

export interface DedupeBlockingOptions {
  /** Blocks up to this size are compared all-pairs; larger ones only through a sorted neighbourhood. */
  maxBlockSize: number;
  /** Sorted-neighbourhood window (each record is compared with the next `window` records). */
  window: number;
  /** A phone shared by more records than this is a switchboard: weak evidence, and its block is capped. */
  commonPhoneCount: number;
}

export const DEFAULT_BLOCKING: DedupeBlockingOptions = { maxBlockSize: 32, window: 8, commonPhoneCount: 6 };

export interface DedupeOptions {
  /** Scopes to compute (default all: onec, crm, cross). */
  scopes?: readonly DuplicateScope[];
  /**
   * Same INN with a different KPP is a branch (обособленное подразделение). false (default): a branch is
   * a party of its own, not a duplicate; true: branches of one legal entity count as the same party.
   */
  branchesAreSameParty?: boolean;
  thresholds?: Partial<DedupeThresholds>;
  /** Smallest level of cluster returned (default `possible`). */
  minLevel?: DuplicateLevel;
  blocking?: Partial<DedupeBlockingOptions>;
  /** Longest list of reasons per cluster (default 8). */
  maxReasons?: number;
  /**
   * Called for every candidate pair blocking produced, with the rows (input positions) and the score:
   * for measuring blocking recall in tests and benchmarks. Not for production use.
   */
  onCandidate?: (rowA: number, rowB: number, score: number) => void;
}

export type DuplicateLevel = 'duplicate' | 'possible';

/** Machine-readable reason codes; each has a text with its values. */
export const REASON_CODES = [
  'name_similarity',
  'name_transliterated',
  'name_tokens',
  'person_name_compatible',
  'person_name_conflict',
  'numbers_differ',
  'same_inn',
  'different_inn',
  'branch_same_inn',
  'same_ogrn',
  'different_ogrn',
  'same_phone',
  'shared_switchboard_phone',
  'same_email',
  'same_free_email',
  'same_email_domain',
  'different_phones',
  'different_emails',
  'ambiguous_name',
  'different_legal_form',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * One piece of evidence, for or against. `text` carries the raw values (for the API and the CLI);
 * `maskedText` hides phones and e-mails (for e-mails and logs); `values` keeps them structured.
 */
export interface PairReason {
  code: ReasonCode;
  /** Signed contribution to the score (positive: for, negative: against; caps show as the amount removed). */
  weight: number;
  text: string;
  maskedText: string;
  values: Record<string, string | number>;
}

export interface PairScore {
  score: number;
  level: DuplicateLevel | null;
  /** True when an identifier says they are different parties (different INN/OGRN, branch, other person). */
  conflict: boolean;
  reasons: PairReason[];
}

export interface DuplicatePairDetail {
  clusterId: string;
  scope: DuplicateScope;
  a: { system: SystemName; id: string; name: string; inn: string | null };
  b: { system: SystemName; id: string; name: string; inn: string | null };
  score: number;
  level: DuplicateLevel;
  reasons: PairReason[];
}

/** A cluster with its level and the structured reasons of the links that hold it together. */
export interface DedupeCluster extends DuplicateCluster {
  level: DuplicateLevel;
  reasonDetails: PairReason[];
}

export interface DedupeStats {
  records: { onec: number; crm: number; crmUnlinked: number };
  /** Distinct candidate pairs scored (after blocking; each pair once). */
  candidatePairs: number;
  candidatePairsPerRecord: number;
  blocks: number;
  oversizedBlocks: number;
  acceptedPairs: Record<DuplicateScope, number>;
  clusters: Record<DuplicateScope, number>;
  /** Merges refused by the anti-chaining guard. */
  guardRejections: number;
  timingsMs: { prepare: number; blockAndScore: number; cluster: number };
}

export interface DedupeResult {
  clusters: DedupeCluster[];
  /** The links behind each cluster; a pair's `a` and `b` are the same objects as its cluster's members. */
  pairs: DuplicatePairDetail[];
  stats: DedupeStats;
}
