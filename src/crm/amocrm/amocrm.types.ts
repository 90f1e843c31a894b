import type { StageKind } from '../crm.types.js';
import type { MultitextValue } from './multitext.util.js';

/**
 * amoCRM's own shapes that the adapter keeps to itself (never returned through CrmPort): the ids of the
 * custom fields Sverka uses, the deal pipeline, and what it remembers of records it has just read.
 */

/** One amoCRM row as JSON. */
export type AmoRow = Record<string, unknown>;

/** Ids of the custom fields Sverka keeps its data in, per record type (found or created at start). */
export interface AmoFieldIds {
  key: number;
  /** The "deleted in 1C" checkbox; absent when the mapping turns the flag off. */
  deleted?: number;
  /** Companies only. */
  inn?: number;
  kpp?: number;
  ogrn?: number;
  fullName?: number;
}

/** A lead status as the mapping names it: by name, or "142"/"143" for the closed ones. */
export interface AmoStageRef {
  key: string;
  kind: StageKind;
}

/** What the converters need to read rows: field ids, the status names, the account's currency. */
export interface AmoReadContext {
  fields: AmoFieldIds;
  /** A lead's status id → its stage (null: a status the account did not list). */
  stageOf?: (statusId: number) => AmoStageRef | null;
  /** Deals carry no currency on amoCRM: the mapping's (`deals.currency`). */
  currency?: string;
}

/** What the writer needs of a record as it is now (from the last read, or read again before the write). */
export interface AmoCurrent {
  phones: MultitextValue[];
  emails: MultitextValue[];
  lastName: string;
  firstName: string;
  middleName: string;
  /** The company a contact or lead is linked to. */
  companyId: string | null;
  /** A lead's `price` (whole units); null for other records or when it has none. */
  price: number | null;
}
