import type { MalformedRecord, OneCDebt, OneCEntity, OneCFolder, OneCRecordMap, OneCVersion } from './onec.types.js';

export const ONEC_PORT = Symbol('OneCPort');

/** Result of a read: the records that converted, and those that did not. */
export interface OneCRead<T> {
  records: T[];
  malformed: MalformedRecord[];
}

export interface OneCPageOptions {
  entity: OneCEntity;
  /**
   * Version scan only: also read each row's `keys` (counterparty, deletion mark; for counterparties folder,
   * INN, KPP) — a few more columns, the same requests. Used when a pilot scope or matching needs them.
   */
  withKeys?: boolean;
  /** Rows per request (default 500, the `$top` of docs/protocols/onec-odata.md#query-options). */
  pageSize?: number;
  /**
   * Called once after a full scan with the `$count` check's outcome (docs/protocols/onec-odata.md#paging):
   * `complete` false means the count still differed after the one rescan (duplicate or empty cursor values
   * can hide rows).
   */
  onReport?: (report: OneCScanReport) => void;
}

/** Outcome of one keyset scan of a set (docs/protocols/onec-odata.md#paging). */
export interface OneCScanReport {
  entity: OneCEntity;
  /** Distinct `Ref_Key`s yielded (over both passes when rescanned). */
  rows: number;
  /** `/$count` with the same base filter, at the end of the last pass. */
  counted: number;
  rescanned: boolean;
  complete: boolean;
  /** Rows of the scan that could not be read (no `Ref_Key`/`DataVersion`); never silently dropped. */
  malformed: MalformedRecord[];
}

/**
 * Read-only access to one 1C infobase. Implemented by the OData adapter (src/onec/odata/).
 * Every method throws OneCError (src/onec/onec.error.ts) on transport or protocol failure
 * after the adapter's own retries.
 */
export interface OneCPort {
  /**
   * The cheap version scan (`Ref_Key` + `DataVersion` only), keyset-paged, all rows including
   * deletion-marked ones (so marks are seen). Yields one page at a time.
   * After the last page the adapter checks the total against `$count` and rescans once on a difference.
   */
  scanVersions(opts: OneCPageOptions): AsyncIterable<OneCVersion[]>;

  /** Full records for the given keys (≤ 20 keys per request internally). Keys not returned are gone. */
  fetchByKeys<E extends OneCEntity>(entity: E, refs: string[]): Promise<OneCRead<OneCRecordMap[E]>>;

  /** All full records, keyset-paged (used by reconciliation snapshots and `full` syncs). */
  readAll<E extends OneCEntity>(opts: {
    entity: E;
    pageSize?: number;
    onReport?: (report: OneCScanReport) => void;
  }): AsyncIterable<OneCRead<OneCRecordMap[E]>>;

  /** One record by key; null when 1C answers 404. */
  getOne<E extends OneCEntity>(entity: E, ref: string): Promise<OneCRead<OneCRecordMap[E]> | null>;

  /** The folders (groups) of the counterparty catalog, deletion-marked ones included. */
  readFolders(entity: 'counterparties'): Promise<OneCFolder[]>;

  /** Live records count (`/$count` with the entity's live filter). */
  countLive(entity: OneCEntity): Promise<number>;

  /** Receivables per counterparty over the mapped accounts, as of now (or `asOf`, a local date). */
  readDebts(opts?: { asOf?: string; onMalformed?: (rows: MalformedRecord[]) => void }): Promise<OneCDebt[]>;

  /** Readiness probe: `$metadata` lists every configured set. Throws OneCError when not. */
  ping(): Promise<void>;

  /**
   * A link that opens the record in 1C (the web client of the publication), for people reading a
   * report; null when none can be formed. Pure: no request is made.
   */
  recordUrl(entity: OneCEntity, ref: string): string | null;
}
