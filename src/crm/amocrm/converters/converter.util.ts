import { toMoneyString } from '../../../common/money.js';
import type { CrmEntity, CrmMalformedRecord, CrmRead, ExternalKey, PartyKind } from '../../crm.types.js';
import { parseExternalKey } from '../external-key.util.js';
import type { AmoRow } from '../amocrm.types.js';
import type { MultitextKind, MultitextValue } from '../multitext.util.js';

/** Thrown inside converters only; turned into a CrmMalformedRecord by `convertRows`. */
export class MalformedRow extends Error {}

/** Converts a page of rows into records and malformed reports (a bad row never throws, never vanishes). */
export function convertRows<T>(entity: CrmEntity, rows: unknown, fn: (row: AmoRow) => T): CrmRead<T> {
  const out: CrmRead<T> = { records: [], malformed: [] };
  if (!Array.isArray(rows)) {
    out.malformed.push({ entity, id: null, reason: 'the rows are not a JSON array' });
    return out;
  }
  for (const row of rows) {
    const c = convertRow(entity, row, fn);
    if (c.ok) out.records.push(c.record);
    else out.malformed.push(c.malformed);
  }
  return out;
}

export function convertRow<T>(
  entity: CrmEntity,
  row: unknown,
  fn: (row: AmoRow) => T,
): { ok: true; record: T } | { ok: false; malformed: CrmMalformedRecord } {
  if (row === null || typeof row !== 'object' || Array.isArray(row))
    return { ok: false, malformed: { entity, id: null, reason: 'not a JSON object' } };
  const rawId = (row as AmoRow).id;
  const id = typeof rawId === 'number' || (typeof rawId === 'string' && rawId !== '') ? String(rawId) : null;
  try {
    return { ok: true, record: fn(row as AmoRow) };
  } catch (e) {
    const reason = e instanceof MalformedRow ? e.message : `unreadable row: ${(e as Error).message}`;
    return { ok: false, malformed: { entity, id, reason } };
  }
}

/** A positive integer id → string. */
export function idOf(row: AmoRow, key = 'id'): string {
  const v = row[key];
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return String(v);
  throw new MalformedRow(`${key} is not a positive integer id: ${JSON.stringify(v)}`);
}

/** An optional id (`responsible_user_id`): null, 0 or absent → null. */
export function optionalIdOf(row: AmoRow, key: string): string | null {
  const v = row[key];
  if (v === null || v === undefined || v === 0) return null;
  return idOf(row, key);
}

/** A string field; null/absent → ''. */
export function textOf(row: AmoRow, key: string): string {
  const v = row[key];
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') throw new MalformedRow(`${key} is not a string: ${JSON.stringify(v)}`);
  return v;
}

/** Unix seconds → ISO 8601 in UTC with its offset (`2026-08-31T09:00:00+00:00`). */
export function unixTimeOf(row: AmoRow, key: string): string {
  const v = row[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new MalformedRow(`${key} is not a time in Unix seconds: ${JSON.stringify(v)}`);
  return new Date(v * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** A whole amount (`price`) → a two-digit decimal string; null/absent → 0.00. */
export function wholeAmountOf(row: AmoRow, key: string): string {
  const v = row[key];
  if (v === null || v === undefined) return '0.00';
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new MalformedRow(`${key} is not an amount: ${JSON.stringify(v)}`);
  return toMoneyString(v);
}

/** The linked record of `_embedded.<key>` (contacts and leads have at most one company); null when none. */
export function embeddedIdOf(row: AmoRow, key: string): string | null {
  const emb = row._embedded;
  if (emb === null || emb === undefined) return null;
  if (typeof emb !== 'object' || Array.isArray(emb)) throw new MalformedRow('_embedded is not an object');
  const list = (emb as AmoRow)[key];
  if (list === null || list === undefined) return null;
  if (!Array.isArray(list)) throw new MalformedRow(`_embedded.${key} is not an array`);
  if (list.length === 0) return null;
  const first = list[0] as AmoRow | null;
  if (first === null || typeof first !== 'object') throw new MalformedRow(`_embedded.${key}[0] is not an object`);
  try {
    return idOf(first, 'id');
  } catch (e) {
    throw new MalformedRow(`_embedded.${key}[0].${(e as Error).message}`);
  }
}

/** One entry of `custom_fields_values`. */
interface CfEntry {
  field_id: number;
  field_code: string | null;
  values: AmoRow[];
}

/** `custom_fields_values` (null when the record has none, never `[]` on amoCRM; both read). */
export function customFieldsOf(row: AmoRow): CfEntry[] {
  const raw = row.custom_fields_values;
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw new MalformedRow('custom_fields_values is not an array');
  return raw.map((e, i) => {
    const entry = e as AmoRow | null;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw new MalformedRow(`custom_fields_values[${i}] is not an object`);
    if (typeof entry.field_id !== 'number') throw new MalformedRow(`custom_fields_values[${i}].field_id is not a number`);
    if (!Array.isArray(entry.values)) throw new MalformedRow(`custom_fields_values[${i}].values is not an array`);
    for (const v of entry.values)
      if (v === null || typeof v !== 'object') throw new MalformedRow(`custom_fields_values[${i}] has a value that is not an object`);
    return {
      field_id: entry.field_id,
      field_code: typeof entry.field_code === 'string' ? entry.field_code : null,
      values: entry.values as AmoRow[],
    };
  });
}

/** The first value of a text field as a string (numbers as amoCRM sometimes sends them); '' when absent. */
export function cfText(entries: CfEntry[], fieldId: number | undefined): string {
  if (fieldId === undefined) return '';
  const v = entries.find((e) => e.field_id === fieldId)?.values[0]?.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new MalformedRow(`custom field ${fieldId} holds no text: ${JSON.stringify(v)}`);
}

/** A checkbox: true only when its first value is `true`. */
export function cfChecked(entries: CfEntry[], fieldId: number | undefined): boolean {
  if (fieldId === undefined) return false;
  return entries.find((e) => e.field_id === fieldId)?.values[0]?.value === true;
}

/** The values of the predefined multitext field (`PHONE` or `EMAIL`), with their codes (`enum_code`, or `enum`). */
export function multitextOf(entries: CfEntry[], kind: MultitextKind): MultitextValue[] {
  const out: MultitextValue[] = [];
  for (const e of entries.filter((x) => x.field_code === kind))
    for (const v of e.values) {
      if (typeof v.value !== 'string' && typeof v.value !== 'number')
        throw new MalformedRow(`${kind} value is not a string: ${JSON.stringify(v.value)}`);
      const code = typeof v.enum_code === 'string' ? v.enum_code : typeof v.enum === 'string' ? v.enum : undefined;
      out.push({
        value: String(v.value),
        ...(code ? { enum_code: code } : {}),
        ...(!code && typeof v.enum_id === 'number' ? { enum_id: v.enum_id } : {}),
      });
    }
  return out;
}

/** The record's 1C key («Ключ 1С»). */
export function externalOf(entries: CfEntry[], keyField: number | undefined): ExternalKey | null {
  return parseExternalKey(cfText(entries, keyField));
}

/** The party kind tax numbers stand for: a 12-digit INN is a person's — an ИП's with a 15-digit OGRNIP. */
export function partyKindOf(inn: string, ogrn: string): PartyKind {
  if (inn.length === 12) return ogrn.length === 15 ? 'entrepreneur' : 'person';
  return 'legal';
}
