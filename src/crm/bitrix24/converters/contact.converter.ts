import type { CrmContact } from '../../crm.types.js';
import {
  convertRow,
  dateTimeOf,
  idOf,
  linkOf,
  multiFieldsOf,
  textOf,
  textOrNull,
  type B24Row,
  type Converted,
} from './converter.util.js';

/** A `crm.item.get|list` contact (entityTypeId 3) → CrmContact. */
export function toCrmContact(row: B24Row): CrmContact {
  const { phones, emails } = multiFieldsOf(row);
  return {
    id: idOf(row, 'id'),
    lastName: textOf(row, 'lastName'),
    name: textOf(row, 'name'),
    secondName: textOf(row, 'secondName'),
    companyId: linkOf(row, 'companyId'),
    originatorId: textOrNull(row, 'originatorId'),
    originId: textOrNull(row, 'originId'),
    originVersion: textOrNull(row, 'originVersion'),
    updatedTime: dateTimeOf(row, 'updatedTime'),
    phones,
    emails,
  };
}

export const convertContact = (row: unknown): Converted<CrmContact> =>
  convertRow('contacts', row, 'id', toCrmContact);
