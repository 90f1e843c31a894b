import type {
  CrmCompanyCandidate,
  CrmContact,
  CrmEntity,
  CrmRead,
  CrmRecordMap,
  CrmStage,
  CrmTodoPage,
  CrmTodoState,
  CrmTodoWrite,
  CrmTodoWriteResult,
  CrmUser,
  CrmWritableEntity,
  CrmWrite,
  CrmWriteResult,
} from './crm.types.js';

export const CRM_PORT = Symbol('CrmPort');

/** What a CRM can do beyond the common core. */
export interface CrmCapabilities {
  /** Open invoices per company can be read (the debts check); false = the check is skipped with `why`. */
  invoices: boolean;
  /** Why invoices cannot be read (for the report), when `invoices` is false. */
  invoicesUnavailable?: string;
  /** Records can carry a "deleted in 1C" flag (the adapter's marker field is configured). */
  flags: boolean;
  /**
   * Decimal places of a deal's amount the CRM keeps: 2 (kopecks) when absent; 0 for a CRM that keeps
   * whole units (amoCRM's `price`), which stores a 1C amount rounded half away from zero — compare 1C
   * amounts rounded the same way.
   */
  amountDigits?: 0 | 2;
}

/**
 * To-dos for people in the CRM (the conflicts of the `manual` strategy become one to-do per record for
 * its responsible user, src/todos/). Each method packs its work into as few requests as the CRM allows
 * and throws CrmError after the adapter's retries; the writes report per item instead.
 */
export interface CrmTodos {
  /** Creates to-dos (no `id`) or rewrites them (`id`: title, description, responsible, deadline); one result per write, in order. */
  upsertTodos(writes: CrmTodoWrite[]): Promise<CrmTodoWriteResult[]>;

  /** Marks to-dos done. One result per id; completing one that is already done succeeds. */
  completeTodos(ids: string[]): Promise<{ id: string; ok: boolean; error?: import('./crm.error.js').CrmError }[]>;

  /**
   * The to-dos this integration made that people changed (completed, moved, reassigned…) since `since`, a
   * page at a time, without reading the unchanged ones: the cheap way to notice completions. Changes the
   * integration made itself may be left out. `since` is the cursor of the previous look, or an ISO 8601
   * time for the first one. May repeat to-dos seen before (overlap).
   */
  todosChangedSince(since: string): AsyncIterable<CrmTodoPage>;

  /** The to-dos with these ids as the CRM holds them now; a deleted one is absent (a rare full check). */
  getTodos(ids: string[]): Promise<CrmTodoState[]>;

  /**
   * The CRM users with these ids (a user the CRM does not know is absent); null when the CRM will not
   * tell (e.g. the integration lacks the right to read users) — the caller then trusts the ids it has.
   */
  users(ids: string[]): Promise<Map<string, CrmUser> | null>;
}

/**
 * Finding the CRM records a 1C record may already have, made by people before go-live (matching before
 * create, README.md#going-live). Both look across every owner: the caller keeps only records without an
 * external key. Each packs its work into as few requests as the CRM allows (filters over many values at
 * once, never one request per value) and throws CrmError after the adapter's retries.
 */
export interface CrmMatching {
  /** Companies having tax details with one of these INNs (digits only), with all their tax details. */
  companiesByInn(inns: string[]): Promise<CrmRead<CrmCompanyCandidate>>;
  /** Contacts linked to one of these companies. */
  contactsOfCompanies(companyIds: string[]): Promise<CrmRead<CrmContact>>;
}

/**
 * One CRM account, in the domain's words (src/crm/crm.types.ts). Implemented by src/crm/bitrix24/ and
 * src/crm/amocrm/; each adapter does its own phases, batching, rate limiting and retries, and keeps its own
 * ids for sub-records (tax details, phone entries). Methods throw CrmError (src/crm/crm.error.ts) after the
 * adapter's retries; `applyWrites` reports per-write failures in its results instead.
 */
export interface CrmPort {
  readonly kind: string;
  readonly capabilities: CrmCapabilities;
  /** The most writes one `applyWrites` call should carry (one request's worth for the CRM). */
  readonly writeChunk: number;

  /** All records of a type in ascending id order, a page at a time (companies with their tax details). */
  bulkRead<E extends CrmEntity>(opts: { entity: E; afterId?: string }): AsyncIterable<CrmRead<CrmRecordMap[E]>>;

  /** Records by id (missing ids are absent from the result). */
  getMany<E extends CrmEntity>(entity: E, ids: string[]): Promise<CrmRead<CrmRecordMap[E]>>;

  /** One record; null when the CRM says it does not exist. */
  getOne<E extends CrmEntity>(entity: E, id: string): Promise<CrmRecordMap[E] | null>;

  /** CRM ids per 1C key among records whose external key has this `source` (ascending ids). */
  findByExternalKey(entity: CrmWritableEntity, source: string, keys: string[]): Promise<Map<string, string[]>>;

  /**
   * Number of records of a type; with `source`, only those whose external key has it. With `upTo`, an
   * adapter that must count page by page may stop there (the answer is then min(count, upTo) or more).
   */
  count(entity: CrmEntity, opts?: { source?: string; upTo?: number }): Promise<number>;

  /** Stages of deals (the configured pipeline) or invoices, cached with a TTL. */
  listStages(kind: 'deal' | 'invoice'): Promise<CrmStage[]>;

  /**
   * Applies writes (at most `writeChunk` per call keeps it to one request's worth). Not atomic: each write
   * succeeds or fails on its own; one result per write, in input order. A create that needs more than one
   * CRM call (e.g. a company, then its tax details) reports the new record's id through `onCreated` as soon
   * as it is known, so the caller can store the link before the rest is written.
   */
  applyWrites(
    writes: CrmWrite[],
    opts?: { onCreated?: (created: { key: string; id: string }[]) => Promise<void> },
  ): Promise<CrmWriteResult[]>;

  /** Finding people's records before a create (matching). */
  readonly matching: CrmMatching;

  /**
   * The address of a record's card in the CRM's web interface, for people reading a report; null when
   * the CRM's address is not known or the id cannot be a record of that type. Pure: no request is made.
   */
  recordUrl(entity: CrmEntity, id: string): string | null;

  /** Readiness probe (a cheap authorised call). Throws CrmError when not reachable or not authorised. */
  ping(): Promise<void>;

  /**
   * Checks and prepares what the adapter needs in the CRM before the first sync (e.g. custom fields and
   * pipeline stages it creates when missing). Called once at start: a CrmError with code CONFIGURATION
   * (something exists in a shape Sverka cannot use — name it) stops the start; a CRM that cannot be reached
   * is not fatal (the adapter prepares on first use instead). Optional: adapters with nothing to prepare omit it.
   */
  prepare?(): Promise<void>;

  /**
   * To-dos for people (conflict to-dos). Optional: a CRM adapter without them leaves conflicts at
   * `/api/v1/conflicts` only, and Sverka says so once at start.
   */
  readonly todos?: CrmTodos;
}
