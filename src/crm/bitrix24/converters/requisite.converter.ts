import type { B24Requisite } from '../bitrix24.types.js';
import { MalformedRow, idOf, textOf, textOrNull, type B24Row } from './converter.util.js';

/**
 * A `crm.requisite.list` row (numbers as strings, upper-case keys) → B24Requisite. Only company
 * requisites (`ENTITY_TYPE_ID` 4) are read; `ogrn` is `RQ_OGRN`, else `RQ_OGRNIP` (ИП).
 */
export function toB24Requisite(row: B24Row): B24Requisite {
  const type = row.ENTITY_TYPE_ID;
  if (String(type) !== '4') throw new MalformedRow(`ENTITY_TYPE_ID is not 4 (company): ${JSON.stringify(type)}`);
  return {
    id: idOf(row, 'ID'),
    companyId: idOf(row, 'ENTITY_ID'),
    presetId: idOf(row, 'PRESET_ID'),
    name: textOf(row, 'NAME'),
    xmlId: textOrNull(row, 'XML_ID'),
    inn: textOf(row, 'RQ_INN').trim(),
    kpp: textOf(row, 'RQ_KPP').trim(),
    companyName: textOf(row, 'RQ_COMPANY_NAME'),
    fullName: textOf(row, 'RQ_COMPANY_FULL_NAME'),
    personName: textOf(row, 'RQ_NAME'),
    ogrn: (textOf(row, 'RQ_OGRN') || textOf(row, 'RQ_OGRNIP')).trim(),
  };
}
