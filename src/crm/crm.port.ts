import type {
  CrmEntity,
  CrmRead,
  CrmRecordMap,
  CrmRequisite,
  CrmStage,
  CrmWritableEntity,
  CrmWrite,
  CrmWriteResult,
} from './crm.types.js';

export const CRM_PORT = Symbol('CrmPort');

/**
 * One CRM portal. Implemented by the Bitrix24 adapter (src/crm/bitrix24/). CRM-neutral: no Bitrix24
 * method names or field names cross this line. Methods throw CrmError (src/crm/crm.error.ts) after
 * the adapter's own retries; `applyWrites` reports per-command failures in its results instead.
 */
export interface CrmPort {
  /**
   * All records of a type in ascending id order, one page at a time (Bitrix24: id-range list calls, 50 per
   * batch request, `start=-1`; see bitrix24/id-range-plan.ts).
   */
  bulkRead<E extends CrmEntity>(opts: {
    entity: E;
    afterId?: string;
  }): AsyncIterable<CrmRead<CrmRecordMap[E]>>;

  /** Records by id (missing ids are absent from the result). */
  getMany<E extends CrmEntity>(entity: E, ids: string[]): Promise<CrmRead<CrmRecordMap[E]>>;

  /** One record; null when the CRM says it does not exist. */
  getOne<E extends CrmEntity>(entity: E, id: string): Promise<CrmRecordMap[E] | null>;

  /** CRM ids per originId for records carrying this originatorId (for idempotent creates). Ascending ids. */
  findByOrigin(
    entity: CrmWritableEntity,
    originatorId: string,
    originIds: string[],
  ): Promise<Map<string, string[]>>;

  /** Number of records of a type; with `originatorId`, only those carrying it. */
  count(entity: CrmEntity, opts?: { originatorId?: string }): Promise<number>;

  /** Requisites of companies: of the given companies, or all (keyset-paged) when `companyIds` is absent. */
  readRequisites(opts: { companyIds?: string[] }): AsyncIterable<CrmRead<CrmRequisite>>;

  /** Stages of deals (pipeline 0) or invoices (default pipeline), cached with a TTL. */
  listStages(kind: 'deal' | 'invoice'): Promise<CrmStage[]>;

  /**
   * Applies writes in batches (Bitrix24: ≤ 50 commands per `batch`). Not atomic: each command
   * succeeds or fails on its own; the result has one entry per write, in input order.
   */
  applyWrites(writes: CrmWrite[]): Promise<CrmWriteResult[]>;

  /** Readiness probe (a cheap authorised call). Throws CrmError when not reachable or not authorised. */
  ping(): Promise<void>;

  /**
   * The address of a record's card in the CRM's web interface, for people reading a report; null when
   * the portal's address is not known or the id cannot be a record of that type. Pure: no request is made.
   */
  recordUrl(entity: CrmEntity, id: string): string | null;
}
