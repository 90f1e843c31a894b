import { toMoneyString } from '../../common/money.js';
import type { MalformedRecord } from '../onec.types.js';

/**
 * Reading one OData JSON row defensively (docs/protocols/onec-odata.md#value-shapes): fixed-length strings
 * trimmed, empty GUID → null, numbers as JSON numbers or strings, money via src/common/money.ts. A wrong
 * shape throws RowError, which the converters turn into a MalformedRecord (never an exception out of a
 * converter).
 */

export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** The composite-type name of a counterparty reference. */
export const COUNTERPARTY_TYPE = 'StandardODATA.Catalog_Контрагенты';

export class RowError extends Error {}

/** The result of converting one row. */
export type Converted<T> = { ok: true; record: T } | { ok: false; malformed: MalformedRecord };

export type Row = Record<string, unknown>;

export function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Runs a conversion; a RowError (or any error) becomes a MalformedRecord carrying the `Ref_Key` if readable. */
export function convertRow<T>(entity: string, raw: unknown, convert: (row: Row) => T): Converted<T> {
  const ref =
    isRow(raw) && typeof raw.Ref_Key === 'string' && GUID.test(raw.Ref_Key)
      ? raw.Ref_Key.toLowerCase()
      : null;
  try {
    if (!isRow(raw)) throw new RowError('row is not a JSON object');
    return { ok: true, record: convert(raw) };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, malformed: { entity, ref, reason } };
  }
}

/** A required, non-empty GUID (`Ref_Key`), lower-cased. */
export function requiredRef(row: Row, name = 'Ref_Key'): string {
  const v = row[name];
  if (v === undefined || v === null) throw new RowError(`${name} is missing`);
  if (typeof v !== 'string' || !GUID.test(v.trim())) throw new RowError(`${name} is not a GUID`);
  const g = v.trim().toLowerCase();
  if (g === EMPTY_GUID) throw new RowError(`${name} is the empty GUID`);
  return g;
}

/** An optional reference: missing, `""` or the empty GUID → null. */
export function optionalRef(row: Row, name: string): string | null {
  const v = row[name];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || !GUID.test(v.trim())) throw new RowError(`${name} is not a GUID`);
  const g = v.trim().toLowerCase();
  return g === EMPTY_GUID ? null : g;
}

/** A string property, trimmed; missing or null → `""`; a number is accepted as its text; anything else is malformed. */
export function str(row: Row, name: string): string {
  const v = row[name];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new RowError(`${name} is not a string`);
}

export function requiredStr(row: Row, name: string): string {
  if (row[name] === undefined || row[name] === null) throw new RowError(`${name} is missing`);
  const s = str(row, name);
  if (!s) throw new RowError(`${name} is empty`);
  return s;
}

/** A boolean; missing → `fallback`; the strings "true"/"false" are not accepted (1C sends JSON booleans). */
export function bool(row: Row, name: string, fallback = false): boolean {
  const v = row[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  throw new RowError(`${name} is not a boolean`);
}

/** Money: a JSON number or decimal string → two-digit decimal string. Missing is malformed unless `optional`. */
export function money(row: Row, name: string, optional = false): string {
  const v = row[name];
  if (v === undefined || v === null) {
    if (optional) return '0.00';
    throw new RowError(`${name} is missing`);
  }
  if (typeof v !== 'number' && typeof v !== 'string') throw new RowError(`${name} is not a number`);
  try {
    return toMoneyString(v);
  } catch {
    throw new RowError(`${name} is not a decimal amount`);
  }
}

/** A local date-time `YYYY-MM-DDTHH:MM:SS` (a trailing fraction or zone, if ever sent, is cut off). */
export function localDateTime(row: Row, name: string): string {
  const v = row[name];
  if (typeof v !== 'string') throw new RowError(`${name} is ${v === undefined ? 'missing' : 'not a string'}`);
  const s = v.trim().slice(0, 19);
  if (!LOCAL_DATETIME.test(s)) throw new RowError(`${name} is not a date-time`);
  return s;
}

/** `LineNumber`: string (as captured) or number → number, for ordering rows. */
export function lineNumber(row: Row): number {
  const v = row.LineNumber;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}
