import { formatKopecks, toKopecks } from '../../common/money.js';
import type { MalformedRecord, OneCDebt } from '../onec.types.js';
import { COUNTERPARTY_TYPE, RowError, isRow, optionalRef, str, type Row } from './odata-row.js';

/**
 * Balance rows of `AccountingRegister_…/Balance` (docs/protocols/onec-odata.md#receivables) → debt per
 * counterparty:
 * Σ `СуммаBalanceDr` − Σ `СуммаBalanceCr` over rows whose `ExtDimension1_Type` is the counterparty
 * catalog, grouped by `ExtDimension1`, summed in kopecks (bigint). Rows of other subconto types are
 * ignored; a row with an unreadable amount or dimension is reported as malformed and left out.
 * Result sorted by counterparty ref.
 */
export function convertDebts(rows: unknown[]): { records: OneCDebt[]; malformed: MalformedRecord[] } {
  const sums = new Map<string, bigint>();
  const malformed: MalformedRecord[] = [];
  for (const raw of rows) {
    try {
      if (!isRow(raw)) throw new RowError('row is not a JSON object');
      if (str(raw, 'ExtDimension1_Type') !== COUNTERPARTY_TYPE) continue;
      const ref = optionalRef(raw, 'ExtDimension1');
      if (!ref) continue;
      const dr = amount(raw, 'СуммаBalanceDr');
      const cr = amount(raw, 'СуммаBalanceCr');
      sums.set(ref, (sums.get(ref) ?? 0n) + dr - cr);
    } catch (e) {
      const ref =
        isRow(raw) && typeof raw.ExtDimension1 === 'string' ? raw.ExtDimension1.toLowerCase() : null;
      malformed.push({ entity: 'debts', ref, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const records = [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([counterpartyRef, kop]) => ({ counterpartyRef, amount: formatKopecks(kop) }));
  return { records, malformed };
}

function amount(row: Row, name: string): bigint {
  const v = row[name];
  if (v === undefined || v === null || v === '') return 0n;
  if (typeof v !== 'number' && typeof v !== 'string') throw new RowError(`${name} is not a number`);
  try {
    return toKopecks(v);
  } catch {
    throw new RowError(`${name} is not a decimal amount`);
  }
}
