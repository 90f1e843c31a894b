import type { CrmContact } from '../../crm.types.js';
import type { B24ReadContext } from '../bitrix24.types.js';
import {
  dateTimeOf,
  externalOf,
  flaggedOf,
  idOf,
  linkOf,
  multiValuesOf,
  textOf,
  textOrNull,
  type B24Row,
} from './converter.util.js';

/** A `crm.item.get|list` contact (entityTypeId 3) → CrmContact (`name` is the first name, `secondName` the patronymic). */
export function toCrmContact(row: B24Row, ctx: B24ReadContext = {}): CrmContact {
  return {
    id: idOf(row, 'id'),
    lastName: textOf(row, 'lastName'),
    firstName: textOf(row, 'name'),
    middleName: textOf(row, 'secondName'),
    companyId: linkOf(row, 'companyId'),
    external: externalOf(row),
    sourceVersion: textOrNull(row, 'originVersion'),
    updatedTime: dateTimeOf(row, 'updatedTime'),
    ...multiValuesOf(row),
    responsibleId: linkOf(row, 'assignedById'),
    flagged: flaggedOf(row, ctx),
  };
}
