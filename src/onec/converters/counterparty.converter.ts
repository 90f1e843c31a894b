import type { OneCCounterparty, OneCLegalKind } from '../onec.types.js';
import { convertContactInfo } from './contact-info.converter.js';
import {
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
 * `Catalog_Контрагенты` row (docs/protocols/onec-odata.md#counterparties) → OneCCounterparty. An empty
 * `ЮридическоеФизическоеЛицо` is inferred from the INN length (12 digits → person, else legal); an unknown
 * value, a folder row, a missing `Ref_Key`/`DataVersion` or a wrong type gives a MalformedRecord.
 */
export function convertCounterparty(raw: unknown): Converted<OneCCounterparty> {
  return convertRow('counterparties', raw, (row: Row) => {
    const ref = requiredRef(row);
    if (bool(row, 'IsFolder')) throw new RowError('row is a folder (IsFolder true)');
    const inn = str(row, 'ИНН');
    const kindText = str(row, 'ЮридическоеФизическоеЛицо');
    let kind: OneCLegalKind;
    if (kindText === 'ЮридическоеЛицо') kind = 'legal';
    else if (kindText === 'ФизическоеЛицо') kind = 'person';
    else if (kindText === '') kind = inn.length === 12 ? 'person' : 'legal';
    else throw new RowError(`ЮридическоеФизическоеЛицо has an unknown value`);
    const info = convertContactInfo(row);
    return {
      ref,
      dataVersion: requiredStr(row, 'DataVersion'),
      deletionMark: bool(row, 'DeletionMark'),
      code: str(row, 'Code'),
      name: str(row, 'Description'),
      parentRef: optionalRef(row, 'Parent_Key'),
      fullName: str(row, 'НаименованиеПолное'),
      kind,
      inn,
      kpp: str(row, 'КПП'),
      regNumber: str(row, 'РегистрационныйНомер'),
      phones: info.phones,
      emails: info.emails,
    };
  });
}
