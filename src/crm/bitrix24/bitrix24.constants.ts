import type { CrmEntity } from '../crm.types.js';

/** `entityTypeId` of each canonical entity (docs/protocols/bitrix24.md#object-types). */
export const ENTITY_TYPE_ID: Record<CrmEntity, number> = {
  companies: 4,
  contacts: 3,
  deals: 2,
  invoices: 31,
};

/** Page size of every list method (docs/protocols/bitrix24.md#item-methods). */
export const PAGE_SIZE = 50;
/** Commands per `batch` (docs/protocols/bitrix24.md#batch). */
export const BATCH_LIMIT = 50;

/**
 * `select` per entity on reads: `*` where `fm` is needed (it only comes with `*`,
 * docs/protocols/bitrix24.md#phones-and-e-mails).
 */
export const SELECT: Record<CrmEntity, string[]> = {
  companies: ['*'],
  contacts: ['*'],
  deals: ['*'],
  invoices: [
    'id',
    'companyId',
    'parentId2',
    'stageId',
    'opportunity',
    'currencyId',
    'accountNumber',
    'updatedTime',
  ],
};

export const REQUISITE_SELECT = [
  'ID',
  'ENTITY_TYPE_ID',
  'ENTITY_ID',
  'PRESET_ID',
  'NAME',
  'XML_ID',
  'RQ_INN',
  'RQ_KPP',
  'RQ_OGRN',
  'RQ_OGRNIP',
  'RQ_COMPANY_NAME',
  'RQ_COMPANY_FULL_NAME',
  'RQ_NAME',
];

/**
 * Retry schedule of a 503 QUERY_LIMIT_EXCEEDED: 1, 2, 4, 8, 16, 32 s, ±20 %
 * (docs/protocols/bitrix24.md#client-policy).
 */
export const QUERY_LIMIT_DELAYS_MS = [1000, 2000, 4000, 8000, 16000, 32000] as const;
/**
 * 500 / timeouts / network errors: 3 retries, the waits are ours (docs/protocols/bitrix24.md#client-policy).
 */
export const TRANSIENT_DELAYS_MS = [1000, 2000, 4000] as const;
/**
 * 429 OPERATION_TIME_LIMIT without a known `operating_reset_at` (docs/protocols/bitrix24.md#client-policy).
 */
export const OPERATING_PAUSE_MS = 60_000;
/** How many 429 pauses one call waits out before giving up. */
export const OPERATING_RETRIES = 3;
export const JITTER = 0.2;
/** A cloud request must finish within 60 s (docs/protocols/bitrix24.md#rate-limits). */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Stage directories are cached this long. */
export const STAGE_TTL_MS = 10 * 60_000;

/** What a to-do read selects (crm.activity.list). */
export const TODO_SELECT = ['ID', 'OWNER_TYPE_ID', 'OWNER_ID', 'COMPLETED', 'DEADLINE', 'RESPONSIBLE_ID', 'LAST_UPDATED'];
/**
 * How far before the portal's clock at the previous look the next "changed since" look starts, so that a
 * to-do changed while the pages were read, or committed a moment late, is read again rather than missed.
 */
export const TODO_CURSOR_OVERLAP_S = 60;
/** Reminders of a conflict to-do, in minutes before its deadline: one at the deadline itself. */
export const TODO_PING_OFFSETS = [0];
