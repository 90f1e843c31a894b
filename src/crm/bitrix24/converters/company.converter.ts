import type { CrmCompany } from '../../crm.types.js';
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

/** A `crm.item.get|list` company (entityTypeId 4) → CrmCompany. */
export function toCrmCompany(row: B24Row): CrmCompany {
  const { phones, emails } = multiFieldsOf(row);
  return {
    id: idOf(row, 'id'),
    title: textOf(row, 'title'),
    originatorId: textOrNull(row, 'originatorId'),
    originId: textOrNull(row, 'originId'),
    originVersion: textOrNull(row, 'originVersion'),
    updatedTime: dateTimeOf(row, 'updatedTime'),
    phones,
    emails,
    assignedById: linkOf(row, 'assignedById'),
  };
}

export const convertCompany = (row: unknown): Converted<CrmCompany> =>
  convertRow('companies', row, 'id', toCrmCompany);
