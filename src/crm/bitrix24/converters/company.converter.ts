import type { CrmCompany, CrmCompanyCandidate } from '../../crm.types.js';
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

/** A `crm.item.get|list` company (entityTypeId 4) → CrmCompany; tax details are joined from its requisites. */
export function toCrmCompany(row: B24Row, ctx: B24ReadContext = {}): CrmCompany {
  return {
    id: idOf(row, 'id'),
    title: textOf(row, 'title'),
    external: externalOf(row),
    sourceVersion: textOrNull(row, 'originVersion'),
    updatedTime: dateTimeOf(row, 'updatedTime'),
    ...multiValuesOf(row),
    taxIds: null,
    responsibleId: linkOf(row, 'assignedById'),
    flagged: flaggedOf(row, ctx),
  };
}

/**
 * A company of `crm.item.list` (select id, title, originatorId, originId, assignedById) → a matching
 * candidate without tax details (joined from its requisites by the caller).
 */
export function toCrmCompanyCandidate(row: B24Row): CrmCompanyCandidate {
  return {
    id: idOf(row, 'id'),
    title: textOf(row, 'title'),
    external: externalOf(row),
    taxIds: [],
    responsibleId: linkOf(row, 'assignedById'),
  };
}
