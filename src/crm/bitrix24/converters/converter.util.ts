import { toMoneyString } from '../../../common/money.js';
import type { CrmEntity, CrmMalformedRecord, CrmRead, ExternalKey } from '../../crm.types.js';
import type { B24ReadContext, FmEntry } from '../bitrix24.types.js';

/** One Bitrix24 row as JSON. */
export type B24Row = Record<string, unknown>;

/** A converter's answer: the canonical record, or why the row could not be read. */
export type Converted<T> = { ok: true; record: T } | { ok: false; malformed: CrmMalformedRecord };

/** Thrown inside converters only; turned into a CrmMalformedRecord by `convertRow`. */
export class MalformedRow extends Error {}

/** Runs a converter on one row: a bad row becomes `malformed`, never a throw. */
export function convertRow<T>(
  entity: CrmMalformedRecord['entity'] | 'requisites',
  row: unknown,
  idKey: 'id' | 'ID',
  fn: (row: B24Row) => T,
): Converted<T> {
  const rawId = row !== null && typeof row === 'object' ? (row as B24Row)[idKey] : undefined;
  const id = typeof rawId === 'number' || (typeof rawId === 'string' && rawId !== '') ? String(rawId) : null;
  if (row === null || typeof row !== 'object' || Array.isArray(row))
    return { ok: false, malformed: { entity: reported(entity), id: null, reason: 'not a JSON object' } };
  try {
    return { ok: true, record: fn(row as B24Row) };
  } catch (e) {
    const reason = e instanceof MalformedRow ? e.message : `unreadable row: ${(e as Error).message}`;
    return { ok: false, malformed: { entity: reported(entity), id, reason: entity === 'requisites' ? `company tax details (requisite ${id ?? '?'}): ${reason}` : reason } };
  }
}

/** Converts a page of rows into records and malformed reports. */
export function convertRows<T>(
  entity: CrmEntity | 'requisites',
  rows: unknown,
  idKey: 'id' | 'ID',
  fn: (row: B24Row) => T,
): CrmRead<T> {
  const out: CrmRead<T> = { records: [], malformed: [] };
  if (!Array.isArray(rows)) {
    out.malformed.push({ entity: reported(entity), id: null, reason: 'the rows are not a JSON array' });
    return out;
  }
  for (const row of rows) {
    const c = convertRow(entity, row, idKey, fn);
    if (c.ok) out.records.push(c.record);
    else out.malformed.push(c.malformed);
  }
  return out;
}

/** A requisite is reported as part of its company (the domain has no requisites). */
function reported(entity: CrmEntity | 'requisites'): CrmEntity {
  return entity === 'requisites' ? 'companies' : entity;
}

/** A positive integer id (number, or a digit string in older methods) → string. */
export function idOf(row: B24Row, key: string): string {
  const v = row[key];
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return String(v);
  if (typeof v === 'string' && /^[1-9]\d*$/.test(v)) return v;
  throw new MalformedRow(`${key} is not a positive integer id: ${JSON.stringify(v)}`);
}

/** A link (`companyId`): 0, null or absent → null; else the id as a string. */
export function linkOf(row: B24Row, key: string): string | null {
  const v = row[key];
  if (v === null || v === undefined || v === 0 || v === '0' || v === '') return null;
  return idOf(row, key);
}

/** A string field; null/absent → `fallback`. Numbers are not strings here. */
export function textOf(row: B24Row, key: string, fallback = ''): string {
  const v = row[key];
  if (v === null || v === undefined) return fallback;
  if (typeof v !== 'string') throw new MalformedRow(`${key} is not a string: ${JSON.stringify(v)}`);
  return v;
}

/** A string field that may be null. */
export function textOrNull(row: B24Row, key: string): string | null {
  const v = row[key];
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'string') throw new MalformedRow(`${key} is not a string: ${JSON.stringify(v)}`);
  return v;
}

/** A required non-empty string. */
export function requiredText(row: B24Row, key: string): string {
  const v = row[key];
  if (typeof v !== 'string' || v === '') throw new MalformedRow(`${key} is missing or not a string`);
  return v;
}

/** An ISO 8601 datetime with offset (`updatedTime`). */
export function dateTimeOf(row: B24Row, key: string): string {
  const v = row[key];
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
    throw new MalformedRow(`${key} is not an ISO 8601 datetime: ${JSON.stringify(v)}`);
  return v;
}

/** Money: a JSON number (crm.item.*) or a decimal string → two-digit decimal string. */
export function moneyOf(row: B24Row, key: string): string {
  const v = row[key];
  if (v === null || v === undefined || v === '') return '0.00';
  if (typeof v !== 'number' && typeof v !== 'string')
    throw new MalformedRow(`${key} is not an amount: ${JSON.stringify(v)}`);
  try {
    return toMoneyString(v);
  } catch {
    throw new MalformedRow(`${key} is not an amount: ${JSON.stringify(v)}`);
  }
}

/** The `fm` phone and e-mail entries with their ids (other types — WEB, IM, LINK — are not ours). */
export function fmEntriesOf(row: B24Row): FmEntry[] {
  const fm = row.fm;
  const out: FmEntry[] = [];
  if (fm === null || fm === undefined) return out;
  if (!Array.isArray(fm)) throw new MalformedRow('fm is not an array');
  for (const e of fm as unknown[]) {
    if (e === null || typeof e !== 'object') throw new MalformedRow('an fm entry is not an object');
    const entry = e as B24Row;
    const type = entry.typeId;
    if (type !== 'PHONE' && type !== 'EMAIL') continue;
    if (typeof entry.value !== 'string') throw new MalformedRow(`fm ${String(type)} value is not a string`);
    out.push({
      id: entry.id === null || entry.id === undefined ? null : String(entry.id),
      typeId: type,
      value: entry.value,
      valueType: typeof entry.valueType === 'string' ? entry.valueType : 'WORK',
    });
  }
  return out;
}

/** Phones and e-mails as plain values. */
export function multiValuesOf(row: B24Row): { phones: string[]; emails: string[] } {
  const entries = fmEntriesOf(row);
  return {
    phones: entries.filter((e) => e.typeId === 'PHONE').map((e) => e.value),
    emails: entries.filter((e) => e.typeId === 'EMAIL').map((e) => e.value),
  };
}

/** `originatorId` + `originId` → the external key (both or nothing). */
export function externalOf(row: B24Row): ExternalKey | null {
  const source = textOrNull(row, 'originatorId');
  const key = textOrNull(row, 'originId');
  return source && key ? { source, key } : null;
}

/** Whether the row carries the configured "deleted in 1C" marker. */
export function flaggedOf(row: B24Row, ctx: B24ReadContext): boolean {
  if (!ctx.marker) return false;
  const v = row[ctx.marker.field];
  return typeof v === 'string' && v !== '' && v === ctx.marker.value;
}
