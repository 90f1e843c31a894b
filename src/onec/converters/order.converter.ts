import type { OneCOrder } from '../onec.types.js';
import {
  bool,
  convertRow,
  localDateTime,
  money,
  optionalRef,
  requiredRef,
  requiredStr,
  str,
  type Converted,
  type Row,
} from './odata-row.js';

/**
 * `Document_ЗаказКлиента` row (docs/protocols/onec-odata.md#customer-orders) → OneCOrder. `Статус` is carried
 * as text (unknown values included); `СуммаДокумента` (number or decimal string) becomes a two-digit string;
 * an unparsable or missing amount, a bad `Date`, a missing `Ref_Key`/`DataVersion` or a wrong type is
 * malformed.
 */
export function convertOrder(raw: unknown): Converted<OneCOrder> {
  return convertRow('deals', raw, (row: Row) => ({
    ref: requiredRef(row),
    dataVersion: requiredStr(row, 'DataVersion'),
    deletionMark: bool(row, 'DeletionMark'),
    posted: bool(row, 'Posted'),
    number: str(row, 'Number'),
    date: localDateTime(row, 'Date'),
    counterpartyRef: optionalRef(row, 'Контрагент_Key'),
    amount: money(row, 'СуммаДокумента'),
    status: str(row, 'Статус'),
    comment: str(row, 'Комментарий'),
  }));
}
