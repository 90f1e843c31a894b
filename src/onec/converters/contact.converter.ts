import type { OneCContact } from '../onec.types.js';
import { convertContactInfo } from './contact-info.converter.js';
import {
  COUNTERPARTY_TYPE,
  RowError,
  bool,
  convertRow,
  optionalRef,
  requiredRef,
  requiredStr,
  str,
  type Converted,
  type Row,
} from './odata-row.js';

/**
 * `Catalog_КонтактныеЛица` row (docs/protocols/onec-odata.md#contact-persons) → OneCContact. The owner is the
 * composite `ОбъектВладелец`: `ownerRef` is its GUID when `ОбъектВладелец_Type` is the counterparty catalog
 * and the GUID is not empty; any other owner type (or none) gives null. A counterparty-typed owner that is
 * not a GUID is malformed.
 */
export function convertContact(raw: unknown): Converted<OneCContact> {
  return convertRow('contacts', raw, (row: Row) => {
    const ref = requiredRef(row);
    const info = convertContactInfo(row);
    return {
      ref,
      dataVersion: requiredStr(row, 'DataVersion'),
      deletionMark: bool(row, 'DeletionMark'),
      code: str(row, 'Code'),
      lastName: str(row, 'Фамилия'),
      firstName: str(row, 'Имя'),
      middleName: str(row, 'Отчество'),
      position: str(row, 'Должность'),
      ownerRef: contactOwner(row),
      phones: info.phones,
      emails: info.emails,
    };
  });
}

/**
 * The counterparty `Ref_Key` owning a contact-person row, or null
 * (docs/protocols/onec-odata.md#contact-persons).
 */
export function contactOwner(row: Row): string | null {
  if (str(row, 'ОбъектВладелец_Type') !== COUNTERPARTY_TYPE) return null;
  try {
    return optionalRef(row, 'ОбъектВладелец');
  } catch {
    throw new RowError('ОбъектВладелец is not a GUID');
  }
}
